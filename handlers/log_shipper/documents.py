"""Turning CloudWatch log events into OpenSearch documents, each with its bulk NDJSON lines.

Layout decision (documented in docs/log-shipping.md): envelope fields are top-level and typed,
a small fixed set of well-known keys from JSON lines is promoted to typed top-level fields,
and every other parsed key goes under ``fields`` (an OpenSearch ``flat_object``). So an
application can log any keys without growing the mapping or colliding with the envelope,
and the envelope always wins because parsed keys can never reach the top level.

Speed matters here (the budget is 80,000 events per second on one core), so the envelope,
identical for every event of a payload, is serialised once per payload and spliced in.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Hashable, NamedTuple

from handlers.log_shipper import json_codec
from handlers.log_shipper.cloudwatch_payload import LogEvent, LogsPayload, UndatedEvent
from handlers.log_shipper.lambda_platform import parse_platform_json, parse_platform_text
from handlers.log_shipper.log_groups import service_from_log_group

SPAN_RECORD_TYPE = "span"

# Well-known keys promoted from a JSON line to typed top-level fields; first alias found wins.
PROMOTED_FIELDS: dict[str, tuple[str, ...]] = {
    "level": ("level", "levelname", "severity"),
    "trace_id": ("trace_id", "traceId"),
    "span_id": ("span_id", "spanId"),
    "xray_trace_id": ("xray_trace_id",),
    "request_id": ("request_id", "requestId", "function_request_id", "aws_request_id"),
    "logger": ("logger", "logger_name"),
    "exception_type": ("exception_type",),
    "exception": ("exception",),
}

MESSAGE_KEYS = ("message", "msg")  # the first that holds text is the message
PYTHON_RUNTIME_LEVELS = frozenset({"[DEBUG]", "[INFO]", "[WARNING]", "[ERROR]", "[CRITICAL]"})


_quote_ascii = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]


def to_json_bytes(value: Any) -> bytes:
    """UTF-8 JSON that never fails on parsed data (see json_codec)."""
    return json_codec.dumps(value)


@dataclass(frozen=True)
class IndexNaming:
    """Where documents go; built once per invocation from the shipper settings."""

    log_index_prefix: str
    trace_index_prefix: str
    log_group_prefix: str
    environment: str


class Origin(NamedTuple):
    """The payload a document came from, kept so a dead letter can be replayed verbatim. A named
    tuple: one is made per payload of every invocation, at a third of a dataclass's cost."""

    owner: str
    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    record_key: Hashable = None  # e.g. the Kinesis sequence number, to report partial failures


@dataclass(frozen=True)
class PayloadContext:
    """What every event of one payload shares, computed once per payload."""

    origin: Origin
    service: str
    envelope: dict[str, str]
    envelope_json: bytes  # ``,"log_group":…,"environment":…,``: the envelope's members, ready to splice
    log_indices: dict[int, tuple[str, bytes]] = field(default_factory=dict)  # day -> (index, action prefix)

    def log_index(self, naming: IndexNaming, timestamp_ms: int) -> tuple[str, bytes]:
        """The log index for the event's day, and its action line up to the id. Events of one
        payload nearly always share a day: ``document_from_event`` looks ``log_indices`` up
        itself and calls this only for a day not seen yet."""
        day = timestamp_ms // 86_400_000
        found = self.log_indices.get(day)
        if found is None:
            index = f"{naming.log_index_prefix}-{self.service}-{_utc_day(day)[0]}"
            found = self.log_indices[day] = (index, _action_prefix(index))
        return found


def payload_context(payload: LogsPayload, naming: IndexNaming, record_key: Hashable = None) -> PayloadContext:
    service = service_from_log_group(payload.log_group, naming.log_group_prefix)
    envelope = {
        "log_group": payload.log_group,
        "log_stream": payload.log_stream,
        "owner": payload.owner,
        "service": service,
        "environment": naming.environment,
    }
    origin = Origin(payload.owner, payload.log_group, payload.log_stream, payload.subscription_filters, record_key)
    return PayloadContext(origin, service, envelope, b"," + to_json_bytes(envelope)[1:-1] + b",")


class Document:
    """One bulk ``create``: the action and source lines are serialised once and reused on retry.

    A log document keeps the pieces its source was written from, and builds ``source`` as a
    dict only when something reads it (a dead letter): most documents are only ever sent.
    """

    __slots__ = ("index", "id", "event", "origin", "ndjson", "_source", "_pieces")

    def __init__(self, index: str, id: str, source: dict[str, Any] | None, event: LogEvent | UndatedEvent,
                 origin: Origin, ndjson: bytes = b"",
                 pieces: tuple[int, dict[str, str], dict[str, Any]] | None = None) -> None:
        self.index = index
        self.id = id
        self.event = event
        self.origin = origin
        self._source = source
        self._pieces = pieces  # (timestamp in ms, envelope, body) of a log document
        self.ndjson = ndjson or create_action(index, id) + to_json_bytes(source) + b"\n"

    @property
    def source(self) -> dict[str, Any]:
        if self._source is None:
            timestamp_ms, envelope, body = self._pieces  # type: ignore[misc]
            self._source = {"@timestamp": iso_timestamp(timestamp_ms), "event_id": self.id, **envelope, **body}
        return self._source

    def __repr__(self) -> str:
        return f"Document(index={self.index!r}, id={self.id!r})"


def create_action(index: str, document_id: str) -> bytes:
    """``create`` (not ``index``) so a redelivered event answers 409 instead of duplicating."""
    return _action_prefix(index) + _quoted_id(document_id) + b"}}\n"


def _quoted_id(document_id: str) -> bytes:
    return _quote_ascii(document_id).encode("ascii")


@lru_cache(maxsize=1024)
def _action_prefix(index: str) -> bytes:
    return b'{"create":{"_index":%s,"_id":' % to_json_bytes(index)


@lru_cache(maxsize=64)
def _utc_day(day_number: int) -> tuple[str, str]:
    """(index suffix, ISO date) for a day since the epoch; events cluster, so this caches well."""
    tm = time.gmtime(day_number * 86_400)
    return f"{tm.tm_year:04d}.{tm.tm_mon:02d}.{tm.tm_mday:02d}", f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"


def index_date(timestamp_ms: int) -> str:
    """``YYYY.MM.DD`` of the event's own UTC time, so late events land in the right day."""
    return _utc_day(timestamp_ms // 86_400_000)[0]


def iso_timestamp(timestamp_ms: int) -> str:
    seconds, millis = divmod(timestamp_ms, 1000)
    return f"{_iso_second(seconds)}.{millis:03d}Z"


@lru_cache(maxsize=4096)
def _iso_second(epoch_seconds: int) -> str:
    day, seconds = divmod(epoch_seconds, 86_400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_utc_day(day)[1]}T{hours:02d}:{minutes:02d}:{seconds:02d}"


def log_index_name(naming: IndexNaming, service: str, timestamp_ms: int) -> str:
    return f"{naming.log_index_prefix}-{service}-{index_date(timestamp_ms)}"


def trace_index_name(naming: IndexNaming, timestamp_ms: int) -> str:
    return f"{naming.trace_index_prefix}-{index_date(timestamp_ms)}"


def document_from_event(event: LogEvent, context: PayloadContext, naming: IndexNaming) -> Document:
    message = event.message
    first = message[:1]
    parsed = None
    if first == "{":
        try:
            parsed = json_codec.loads_line(message)
        except ValueError:
            pass  # not JSON after all: kept as text
        if type(parsed) is not dict:
            parsed = None
    elif first.isspace():
        parsed = _parse_json_object(message)
    if parsed is not None and parsed.get("record_type") == SPAN_RECORD_TYPE:
        del parsed["record_type"]
        return Document(trace_index_name(naming, event.timestamp), event.id, parsed, event, context.origin)
    timestamp_ms = event.timestamp
    seconds = timestamp_ms // 1000
    stamp = _SECOND_STAMPS.get(seconds)
    if stamp is None:
        stamp = _second_stamp(seconds)
    body: dict[str, Any] = {}
    if parsed is not None:
        _merge_json_line(body, parsed, message)
    else:
        _merge_text_line(body, message)
    found = context.log_indices.get(timestamp_ms // 86_400_000)
    index, action_prefix = found if found is not None else context.log_index(naming, timestamp_ms)
    quoted_id = _quote_ascii(event.id).encode("ascii")
    # Same bytes as encoding the whole source (a unit test pins this), at about half the cost.
    ndjson = b"".join((action_prefix, quoted_id, stamp, _MILLIS_THEN_EVENT_ID[timestamp_ms - seconds * 1000],
                       quoted_id, context.envelope_json, json_codec.dumps(body)[1:], b"\n"))
    return Document(index, event.id, None, event, context.origin, ndjson, (timestamp_ms, context.envelope, body))


# ``}}\n{"@timestamp":"YYYY-MM-DDTHH:MM:SS.`` per second (events of a batch share few seconds),
# and ``mmmZ","event_id":`` per millisecond: the parts of a bulk pair between the id and the id.
_SECOND_STAMPS: dict[int, bytes] = {}
_MILLIS_THEN_EVENT_ID = tuple(b'%03dZ","event_id":' % millis for millis in range(1000))


def _second_stamp(seconds: int) -> bytes:
    if len(_SECOND_STAMPS) >= 4096:
        _SECOND_STAMPS.clear()
    stamp = _SECOND_STAMPS[seconds] = b'}}\n{"@timestamp":"%s.' % _iso_second(seconds).encode("ascii")
    return stamp


def unparsed_document(event: LogEvent | UndatedEvent, context: PayloadContext, naming: IndexNaming) -> Document:
    """The stand-in a dead letter keeps for an event that could not become its normal document
    (no usable date, or a transform error): the raw message, for an index with no date in its
    name, which is where replay sends it."""
    return Document(f"{naming.log_index_prefix}-{context.service}-unparsed", event.id, {"message": event.message},
                    event, context.origin)


def _parse_json_object(message: str) -> dict[str, Any] | None:
    first = message[:1]
    if first != "{" and not (first.isspace() and message.lstrip()[:1] == "{"):
        return None
    try:
        parsed = json_codec.loads_line(message)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _merge_json_line(body: dict[str, Any], rest: dict[str, Any], raw: str) -> None:
    """Consumes ``rest`` (the freshly parsed line): promoted keys are popped, the remainder kept."""
    if "record" in rest:
        platform = parse_platform_json(rest)
        if platform is not None:
            body["message"] = raw.rstrip("\n")
            body["lambda"] = platform
            return
    keys = tuple(rest)
    plan = _MERGE_PLANS.get(keys)
    if plan is None:
        plan = _merge_plan(keys)
    message_keys, promotions = plan
    for key in message_keys:
        message = rest[key]
        if type(message) is str:
            del rest[key]
            break
    else:
        message = raw.rstrip("\n")
    body["message"] = message
    for alias, target in promotions:
        value = rest.pop(alias)
        kind = type(value)
        if kind is str:
            body[target] = value
        elif kind is dict or kind is list:
            rest[alias] = value  # structured values stay searchable under fields
        elif value is not None:  # null means "not in a span" etc.: nothing worth indexing
            # A number or boolean, as text. By the standard library's encoder whichever backend
            # parses: orjson spells some floats otherwise (1e-9 for 1e-09), and the field must not
            # depend on what the layer ships.
            body[target] = json_codec.stdlib_dumps(value).decode("utf-8")
    if rest:
        body["fields"] = rest


# Lines from one logger share their keys, so which keys are promoted is worked out once per
# key set: (message keys present, in order; (alias, target) of the first alias present per target).
MergePlan = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]
_MERGE_PLANS: dict[tuple[str, ...], MergePlan] = {}


def _merge_plan(keys: tuple[str, ...]) -> MergePlan:
    present = set(keys)
    message_keys = tuple(key for key in MESSAGE_KEYS if key in present)
    promotions = tuple((alias, target) for target, aliases in PROMOTED_FIELDS.items()
                       for alias in [next((alias for alias in aliases if alias in present), None)] if alias)
    if len(_MERGE_PLANS) >= 1024:
        _MERGE_PLANS.clear()
    plan = _MERGE_PLANS[keys] = (message_keys, promotions)
    return plan


def _merge_text_line(body: dict[str, Any], message: str) -> None:
    platform = parse_platform_text(message)
    if platform is not None:
        body["message"] = message.rstrip("\n")
        body["lambda"] = platform
        if "request_id" in platform:
            body["request_id"] = platform["request_id"]
        return
    if message.startswith("[") and "\t" in message:
        # The Python runtime's default logging layout: "[LEVEL]\t<iso time>\t<request id>\t<message>".
        parts = message.split("\t", 3)
        if len(parts) == 4 and parts[0] in PYTHON_RUNTIME_LEVELS:
            body["message"] = parts[3].rstrip("\n")
            body["level"] = parts[0][1:-1]
            body["request_id"] = parts[2]
            return
    body["message"] = message.rstrip("\n")
