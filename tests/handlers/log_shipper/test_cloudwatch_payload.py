"""Decoding the subscription wire format, and turning every kind of corruption into a reason."""
from __future__ import annotations

import base64
import gzip
import json

import pytest
from hypothesis import given

from handlers.log_shipper.cloudwatch_payload import (FIRST_TIMESTAMP_MS, INVALID_TIMESTAMP, LAST_TIMESTAMP_MS,
                                                     TIMESTAMP_OUT_OF_RANGE, PayloadError, decode_payload)
from handlers.log_shipper.documents import index_date
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.json_strategies import any_value_literal


def test_decodes_a_data_message_with_its_identity_and_events() -> None:
    events = [fixtures.log_event(1, "hello"), fixtures.log_event(2, "world")]
    payload = decode_payload(fixtures.encode(fixtures.payload_json("/platform/dev/orders/lambda-api", events)))
    assert (payload.log_group, payload.owner, payload.subscription_filters) == (
        "/platform/dev/orders/lambda-api", fixtures.OWNER, ("platform-dev-ship-logs",))
    assert [(e.id, e.message) for e in payload.events] == [(fixtures.event_id(1), "hello"),
                                                            (fixtures.event_id(2), "world")]


def test_control_messages_are_recognised_and_carry_no_events() -> None:
    payload = decode_payload(fixtures.encode(fixtures.control_payload_json()))
    assert payload.is_control and payload.events == ()


@pytest.mark.parametrize(("data", "reason"), [
    ("!!!not base64!!!", "corrupt_base64"),
    (base64.b64encode(b"not gzip at all").decode(), "corrupt_gzip"),
    (base64.b64encode(gzip.compress(b"{not json", mtime=0)).decode(), "corrupt_json"),
    (base64.b64encode(gzip.compress(b"[1, 2]", mtime=0)).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b'{"messageType": "DATA_MESSAGE", "logGroup": "/g"}', mtime=0)).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b'{"logGroup": "/g", "logEvents": [{"timestamp": 1}]}', mtime=0)).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b'{"logGroup": "/g", "logEvents": ["not an event"]}', mtime=0)).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b"\xff\xfe", mtime=0)).decode(), "corrupt_json"),
])
def test_every_corruption_becomes_a_payload_error_with_a_stable_reason(data: str, reason: str) -> None:
    with pytest.raises(PayloadError) as raised:
        decode_payload(data)
    assert raised.value.reason == reason


def _payload_with_timestamp(literal: str) -> str:
    """A payload whose second event's timestamp is written exactly as ``literal``."""
    text = json.dumps(fixtures.payload_json("/platform/dev/orders/lambda-api", [
        fixtures.log_event(1, "fine"), {"id": fixtures.event_id(2), "timestamp": "@ts@", "message": "odd"}]))
    return base64.b64encode(gzip.compress(text.replace('"@ts@"', literal).encode())).decode()


@pytest.mark.parametrize(("literal", "reason"), [
    ("1e400", TIMESTAMP_OUT_OF_RANGE), ("-1e400", TIMESTAMP_OUT_OF_RANGE), ("Infinity", TIMESTAMP_OUT_OF_RANGE),
    ("100000000000000000000", TIMESTAMP_OUT_OF_RANGE), ("1e17", TIMESTAMP_OUT_OF_RANGE),
    ("253402300800000", TIMESTAMP_OUT_OF_RANGE), ("-1", TIMESTAMP_OUT_OF_RANGE),
    ("NaN", INVALID_TIMESTAMP), ("null", INVALID_TIMESTAMP), ('"soon"', INVALID_TIMESTAMP),
    ("true", INVALID_TIMESTAMP), ("{}", INVALID_TIMESTAMP),
])
def test_an_event_without_a_usable_date_is_set_apart_and_its_payload_still_decodes(literal: str, reason: str) -> None:
    payload = decode_payload(_payload_with_timestamp(literal))
    assert [event.id for event in payload.events] == [fixtures.event_id(1)]
    [undated] = payload.undated_events
    assert (undated.id, undated.message, undated.reason) == (fixtures.event_id(2), "odd", reason)
    assert payload.event_count == 2
    json.dumps(undated.timestamp, allow_nan=False)  # storable in a strict-JSON dead letter


@pytest.mark.parametrize(("literal", "milliseconds"), [
    ("0", 0), ("253402300799999", LAST_TIMESTAMP_MS), ("1795000000000.9", 1_795_000_000_000),
    ('"1795000000000"', 1_795_000_000_000), ("1.795e12", 1_795_000_000_000),
])
def test_timestamps_in_range_are_whole_milliseconds_however_they_are_written(literal: str, milliseconds: int) -> None:
    payload = decode_payload(_payload_with_timestamp(literal))
    assert payload.undated_events == () and payload.events[1].timestamp == milliseconds


@given(literal=any_value_literal)
def test_any_timestamp_is_either_a_date_in_range_or_set_apart_with_a_reason(literal: str) -> None:
    payload = decode_payload(_payload_with_timestamp(literal))
    assert payload.event_count == 2
    if payload.undated_events:
        [undated] = payload.undated_events
        assert undated.reason in (INVALID_TIMESTAMP, TIMESTAMP_OUT_OF_RANGE)
        json.dumps(undated.timestamp, allow_nan=False)
    else:
        timestamp = payload.events[1].timestamp
        assert type(timestamp) is int and FIRST_TIMESTAMP_MS <= timestamp <= LAST_TIMESTAMP_MS
        assert len(index_date(timestamp)) == len("YYYY.MM.DD")
