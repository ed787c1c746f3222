"""Decoding the subscription wire format, and turning every kind of corruption into a reason."""
from __future__ import annotations

import base64
import gzip

import pytest

from handlers.log_shipper.cloudwatch_payload import PayloadError, decode_payload
from tests.handlers.log_shipper import fixtures


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
    (base64.b64encode(gzip.compress(b"{not json")).decode(), "corrupt_json"),
    (base64.b64encode(gzip.compress(b"[1, 2]")).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b'{"messageType": "DATA_MESSAGE", "logGroup": "/g"}')).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b'{"logGroup": "/g", "logEvents": [{"id": "1"}]}')).decode(), "invalid_payload"),
    (base64.b64encode(gzip.compress(b"\xff\xfe")).decode(), "corrupt_json"),
])
def test_every_corruption_becomes_a_payload_error_with_a_stable_reason(data: str, reason: str) -> None:
    with pytest.raises(PayloadError) as raised:
        decode_payload(data)
    assert raised.value.reason == reason
