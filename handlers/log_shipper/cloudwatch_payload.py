"""Decoding of CloudWatch Logs subscription payloads (base64 + gzip + JSON).

Every way a payload can be broken is turned into ``PayloadError`` with a short machine
reason, so the caller can dead-letter the raw bytes instead of crashing the batch.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import zlib
from typing import Any, NamedTuple, Sequence

from handlers.log_shipper import json_codec

CONTROL_MESSAGE = "CONTROL_MESSAGE"
DATA_MESSAGE = "DATA_MESSAGE"

# The dates an event may carry. CloudWatch Logs counts milliseconds from the Unix epoch, and the
# last day with a four-digit year is what index names, ISO 8601 ``@timestamp`` and OpenSearch's
# ``date`` type can all express. The bounds are fixed, never relative to the clock: a redelivery
# or a replay must decide exactly as the first delivery did, or an event could end up both
# dead-lettered and indexed.
FIRST_TIMESTAMP_MS = 0  # 1970-01-01T00:00:00.000Z
LAST_TIMESTAMP_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
INVALID_TIMESTAMP = "invalid_timestamp"
TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range"


class PayloadError(ValueError):
    """A payload that can never be decoded; ``reason`` is stable for dashboards and replay."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class LogEvent(NamedTuple):
    """One CloudWatch log event exactly as CloudWatch delivered it.

    A NamedTuple rather than a frozen dataclass: it is built for every event, and frozen
    dataclass construction alone would cost a fifth of the per-event budget.
    """

    id: str
    timestamp: int
    message: str


class UndatedEvent(NamedTuple):
    """An event whose timestamp gives it no usable date; it is dead-lettered, never indexed.

    ``timestamp`` is the value as received, except that a non-finite number is kept as its JSON
    spelling (``"Infinity"``, ``"NaN"``) so the dead letter stays strict JSON.
    """

    id: str
    timestamp: Any
    message: str
    reason: str  # INVALID_TIMESTAMP or TIMESTAMP_OUT_OF_RANGE


class LogsPayload(NamedTuple):
    """A decoded subscription payload: one log stream's batch of events (a NamedTuple, like
    LogEvent: one is built per payload, and a frozen dataclass costs several times as much)."""

    message_type: str
    owner: str
    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    events: tuple[LogEvent, ...]
    undated_events: tuple[UndatedEvent, ...] = ()

    @property
    def is_control(self) -> bool:
        return self.message_type == CONTROL_MESSAGE

    @property
    def event_count(self) -> int:
        return len(self.events) + len(self.undated_events)


def decode_payload(data: str | bytes) -> LogsPayload:
    """Decode base64 text as found in ``awslogs.data`` or a Kinesis record's ``data``."""
    try:
        compressed = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise PayloadError("corrupt_base64", str(error)) from None
    return decode_compressed(compressed)


def decode_compressed(compressed: bytes) -> LogsPayload:
    """Decode the gzip bytes; split out so replay can feed bytes read straight from Kinesis."""
    try:
        # wbits=31 accepts exactly the gzip container CloudWatch Logs produces.
        raw = zlib.decompress(compressed, 31)
    except zlib.error as error:
        raise PayloadError("corrupt_gzip", str(error)) from None
    try:
        document = json_codec.loads_payload(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise PayloadError("corrupt_json", str(error)) from None
    return payload_from_json(document)


def payload_from_json(document: Any) -> LogsPayload:
    """Validate the JSON shape; a payload missing its identity cannot be shipped safely."""
    if not isinstance(document, dict):
        raise PayloadError("invalid_payload", "payload is not a JSON object")
    message_type = document.get("messageType")
    if message_type == CONTROL_MESSAGE:
        return LogsPayload(CONTROL_MESSAGE, str(document.get("owner", "")), str(document.get("logGroup", "")),
                           str(document.get("logStream", "")), (), ())
    log_group = document.get("logGroup")
    raw_events = document.get("logEvents")
    if not isinstance(log_group, str) or not isinstance(raw_events, list):
        raise PayloadError("invalid_payload", "logGroup or logEvents missing")
    events, undated = _events(raw_events)
    return LogsPayload(
        message_type=str(message_type or DATA_MESSAGE),
        owner=str(document.get("owner", "")),
        log_group=log_group,
        log_stream=str(document.get("logStream", "")),
        subscription_filters=tuple(str(name) for name in document.get("subscriptionFilters") or ()),
        events=events,
        undated_events=undated,
    )


def _events(raw_events: Sequence[Any]) -> tuple[tuple[LogEvent, ...], tuple[UndatedEvent, ...]]:
    """Events without an id make the payload invalid (nothing could key their dead letter); an
    event with an unusable timestamp is set apart alone, so the rest of its payload still ships."""
    events: list[LogEvent] = []
    undated: list[UndatedEvent] = []
    append = events.append
    new_event = tuple.__new__  # LogEvent(...) without the Python-level __new__: once per event
    first, last = FIRST_TIMESTAMP_MS, LAST_TIMESTAMP_MS
    try:
        for raw in raw_events:
            event_id = raw["id"]
            timestamp = raw.get("timestamp")
            message = raw.get("message", "")
            if type(timestamp) is int and first <= timestamp <= last and type(message) is str \
                    and type(event_id) is str:
                append(new_event(LogEvent, (event_id, timestamp, message)))  # what CloudWatch sends
                continue
            event = event_from_json(raw)
            if isinstance(event, LogEvent):
                append(event)
            else:
                undated.append(event)
    except (KeyError, TypeError, AttributeError) as error:
        raise PayloadError("invalid_payload", f"malformed log event: {error!r}") from None
    return tuple(events), tuple(undated)


def event_from_json(raw: Any) -> LogEvent | UndatedEvent:
    """One ``logEvents`` member; raises KeyError, TypeError or AttributeError when it has no id."""
    event_id = str(raw["id"])
    timestamp = raw.get("timestamp")
    message = _text(raw.get("message", ""))
    if type(timestamp) is int and FIRST_TIMESTAMP_MS <= timestamp <= LAST_TIMESTAMP_MS:
        return LogEvent(event_id, timestamp, message)  # every event CloudWatch itself sends
    milliseconds, reason = checked_timestamp(timestamp)
    if reason is None:
        return LogEvent(event_id, milliseconds, message)
    return UndatedEvent(event_id, milliseconds, message, reason)


def checked_timestamp(value: Any) -> tuple[Any, str | None]:
    """(milliseconds, None) for a usable timestamp, else (the value as it can be stored, reason).

    Finite numbers are floored to whole milliseconds and digit strings are read as numbers, as
    some producers send them; booleans, null, other text and structures have no date at all.
    """
    if type(value) is float:
        if math.isnan(value):
            return "NaN", INVALID_TIMESTAMP
        if math.isinf(value):
            return ("Infinity" if value > 0 else "-Infinity"), TIMESTAMP_OUT_OF_RANGE
        milliseconds: Any = math.floor(value)
    elif type(value) is int:
        milliseconds = value
    elif type(value) is str and value.isascii() and value.removeprefix("-").isdigit():
        if len(value) > 20:  # past any date, and int() refuses very long digit strings
            return value, TIMESTAMP_OUT_OF_RANGE
        milliseconds = int(value)
    else:
        return value, INVALID_TIMESTAMP
    if FIRST_TIMESTAMP_MS <= milliseconds <= LAST_TIMESTAMP_MS:
        return milliseconds, None
    return value, TIMESTAMP_OUT_OF_RANGE


def _text(value: Any) -> str:
    return value if type(value) is str else str(value)


def encode_payload(payload: LogsPayload) -> str:
    """Inverse of ``decode_payload``; used by fixtures, benchmarks and replay tooling."""
    return base64.b64encode(gzip_payload(payload)).decode("ascii")


def gzip_payload(payload: LogsPayload) -> bytes:
    import gzip

    body = {
        "messageType": payload.message_type,
        "owner": payload.owner,
        "logGroup": payload.log_group,
        "logStream": payload.log_stream,
        "subscriptionFilters": list(payload.subscription_filters),
        "logEvents": [{"id": e.id, "timestamp": e.timestamp, "message": e.message}
                      for e in (*payload.events, *payload.undated_events)],
    }
    return gzip.compress(json.dumps(body).encode("utf-8"), compresslevel=6)
