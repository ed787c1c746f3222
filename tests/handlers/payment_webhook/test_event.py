"""The payment event body, over arbitrary JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.payment_webhook.event import MalformedEvent, PaymentEvent, parse_event
from tests.handlers.fulfilment.strategies import json_values

GOOD = {"event_id": "evt_1", "payment_id": "pay_1", "order_id": "0b6f2a9e-4c1d-4a8e-9f3b-2d5c6e7f8a9b", "status": "succeeded"}


def test_a_good_event() -> None:
    assert parse_event(json.dumps(GOOD).encode()) == PaymentEvent("evt_1", "pay_1", GOOD["order_id"], "succeeded")


@given(st.one_of(json_values, st.dictionaries(st.sampled_from(sorted(GOOD)), json_values)))
def test_any_json_is_either_an_event_or_malformed_naming_the_field(value: Any) -> None:
    try:
        parse_event(json.dumps(value).encode())
    except MalformedEvent as error:
        assert error.field in ("body", *GOOD)


@given(st.binary(max_size=300))
def test_any_bytes_are_either_an_event_or_malformed(body: bytes) -> None:
    try:
        parse_event(body)
    except MalformedEvent:
        pass


@pytest.mark.parametrize("field", sorted(GOOD))
def test_each_missing_or_bad_field_is_named(field: str) -> None:
    for broken in ({k: v for k, v in GOOD.items() if k != field}, {**GOOD, field: ""}, {**GOOD, field: 42}, {**GOOD, field: GOOD[field] + "\n"}):
        with pytest.raises(MalformedEvent) as raised:
            parse_event(json.dumps(broken).encode())
        assert raised.value.field == field


def test_an_oversized_body_is_refused_before_parsing() -> None:
    with pytest.raises(MalformedEvent, match="at most"):
        parse_event(b" " * (64 * 1024 + 1))
