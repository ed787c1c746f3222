"""Decoding of CloudWatch Logs subscription payloads (base64 + gzip + JSON).

Every way a payload can be broken is turned into ``PayloadError`` with a short machine
reason, so the caller can dead-letter the raw bytes instead of crashing the batch.
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

from handlers.log_shipper import json_codec

CONTROL_MESSAGE = "CONTROL_MESSAGE"
DATA_MESSAGE = "DATA_MESSAGE"


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


@dataclass(frozen=True)
class LogsPayload:
    """A decoded subscription payload: one log stream's batch of events."""

    message_type: str
    owner: str
    log_group: str
    log_stream: str
    subscription_filters: tuple[str, ...]
    events: tuple[LogEvent, ...]

    @property
    def is_control(self) -> bool:
        return self.message_type == CONTROL_MESSAGE


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
    return LogsPayload(
        message_type=str(message_type or DATA_MESSAGE),
        owner=str(document.get("owner", "")),
        log_group=log_group,
        log_stream=str(document.get("logStream", "")),
        subscription_filters=tuple(str(name) for name in document.get("subscriptionFilters") or ()),
        events=_events(raw_events),
    )


def _events(raw_events: Sequence[Any]) -> tuple[LogEvent, ...]:
    try:
        return tuple([
            LogEvent(str(event["id"]), int(event["timestamp"]), _text(event.get("message", "")))
            for event in raw_events
        ])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PayloadError("invalid_payload", f"malformed log event: {error!r}") from None


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
        "logEvents": [{"id": e.id, "timestamp": e.timestamp, "message": e.message} for e in payload.events],
    }
    return gzip.compress(json.dumps(body).encode("utf-8"), compresslevel=6)
