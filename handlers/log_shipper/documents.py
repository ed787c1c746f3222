"""Turning CloudWatch log events into OpenSearch documents, each with its bulk NDJSON lines.

Layout decision (documented in docs/log-shipping.md): envelope fields are top-level and typed,
a small fixed set of well-known keys from JSON lines is promoted to typed top-level fields,
and every other parsed key goes under ``fields`` (an OpenSearch ``flat_object``). So an
application can log any keys without growing the mapping or colliding with the envelope,
and the envelope always wins because parsed keys can never reach the top level.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Hashable

from handlers.log_shipper.cloudwatch_payload import LogEvent, LogsPayload
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
MESSAGE_KEYS = ("message", "msg")
PYTHON_RUNTIME_LEVELS = frozenset({"[DEBUG]", "[INFO]", "[WARNING]", "[ERROR]", "[CRITICAL]"})


@dataclass(frozen=True)
class IndexNaming:
    """Where documents go; built once per invocation from the shipper settings."""

    log_index_prefix: str
    trace_index_prefix: str
    log_group_prefix: str
    environment: str


@dataclass(frozen=True)
class Origin:
    """The payload a document came from, kept so a dead letter can be replayed verbatim."""

    owner: str
    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    record_key: Hashable = None  # e.g. the Kinesis sequence number, to report partial failures


@dataclass(eq=False)
class Document:
    """One bulk ``create``: the action and source lines are serialised once and reused on retry."""

    index: str
    id: str
    source: dict[str, Any]
    event: LogEvent
    origin: Origin
    ndjson: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if not self.ndjson:
            self.ndjson = create_action(self.index, self.id) + json.dumps(
                self.source, ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8") + b"\n"


def create_action(index: str, document_id: str) -> bytes:
    """``create`` (not ``index``) so a redelivered event answers 409 instead of duplicating."""
    return b'{"create":{"_index":%s,"_id":%s}}\n' % (
        json.dumps(index).encode("utf-8"), json.dumps(document_id).encode("utf-8"))


@lru_cache(maxsize=64)
def _utc_day(day_number: int) -> tuple[str, str]:
    """(index suffix, ISO date) for a day since the epoch; events cluster, so this caches well."""
    tm = time.gmtime(day_number * 86_400)
    return f"{tm.tm_year:04d}.{tm.tm_mon:02d}.{tm.tm_mday:02d}", f"{tm.tm_year:04d}-{tm.tm_mon:02d}-{tm.tm_mday:02d}"


def index_date(timestamp_ms: int) -> str:
    """``YYYY.MM.DD`` of the event's own UTC time, so late events land in the right day."""
    return _utc_day(timestamp_ms // 86_400_000)[0]


def iso_timestamp(timestamp_ms: int) -> str:
    day, rest_ms = divmod(timestamp_ms, 86_400_000)
    seconds, millis = divmod(rest_ms, 1000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    return f"{_utc_day(day)[1]}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def log_index_name(naming: IndexNaming, service: str, timestamp_ms: int) -> str:
    return f"{naming.log_index_prefix}-{service}-{index_date(timestamp_ms)}"


def trace_index_name(naming: IndexNaming, timestamp_ms: int) -> str:
    return f"{naming.trace_index_prefix}-{index_date(timestamp_ms)}"


def envelope_for(payload: LogsPayload, naming: IndexNaming) -> tuple[dict[str, str], str]:
    """Envelope fields shared by every document of a payload, and the payload's service."""
    service = service_from_log_group(payload.log_group, naming.log_group_prefix)
    return {
        "log_group": payload.log_group,
        "log_stream": payload.log_stream,
        "owner": payload.owner,
        "service": service,
        "environment": naming.environment,
    }, service


def document_from_event(event: LogEvent, origin: Origin, envelope: dict[str, str], service: str,
                        naming: IndexNaming) -> Document:
    message = event.message
    parsed = _parse_json_object(message)
    if parsed is not None and parsed.get("record_type") == SPAN_RECORD_TYPE:
        span = dict(parsed)
        del span["record_type"]
        return Document(trace_index_name(naming, event.timestamp), event.id, span, event, origin)
    source: dict[str, Any] = {"@timestamp": iso_timestamp(event.timestamp), "event_id": event.id}
    source.update(envelope)
    if parsed is not None:
        _merge_json_line(source, parsed, message)
    else:
        _merge_text_line(source, message)
    return Document(log_index_name(naming, service, event.timestamp), event.id, source, event, origin)


def _parse_json_object(message: str) -> dict[str, Any] | None:
    stripped = message.lstrip()
    if not stripped.startswith("{"):
        return None
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _merge_json_line(source: dict[str, Any], parsed: dict[str, Any], raw: str) -> None:
    rest = dict(parsed)
    platform = parse_platform_json(rest)
    if platform is not None:
        source["lambda"] = platform
        source["message"] = raw.rstrip("\n")
        return
    message = None
    for key in MESSAGE_KEYS:
        value = rest.get(key)
        if isinstance(value, str):
            message = value
            del rest[key]
            break
    source["message"] = message if message is not None else raw.rstrip("\n")
    for target, aliases in PROMOTED_FIELDS.items():
        for alias in aliases:
            if alias in rest:
                value = rest.pop(alias)
                if isinstance(value, (dict, list)):
                    rest[alias] = value  # structured values stay searchable under fields
                elif value is not None:  # null means "not in a span" etc.: nothing worth indexing
                    source[target] = value if isinstance(value, str) else json.dumps(value)
                break
    if rest:
        source["fields"] = rest


def _merge_text_line(source: dict[str, Any], message: str) -> None:
    platform = parse_platform_text(message)
    if platform is not None:
        source["lambda"] = platform
        if "request_id" in platform:
            source["request_id"] = platform["request_id"]
    elif message.startswith("[") and "\t" in message:
        # The Python runtime's default logging layout: "[LEVEL]\t<iso time>\t<request id>\t<message>".
        parts = message.split("\t", 3)
        if len(parts) == 4 and parts[0] in PYTHON_RUNTIME_LEVELS:
            source["level"] = parts[0][1:-1]
            source["request_id"] = parts[2]
            source["message"] = parts[3].rstrip("\n")
            return
    source["message"] = message.rstrip("\n")
