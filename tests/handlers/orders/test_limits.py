"""Every documented limit of the orders API, exactly at the limit and one past it."""

from __future__ import annotations

import base64
import json

import pytest

from handlers.orders import app
from handlers.orders.validation import (MAX_BODY_BYTES, MAX_IDEMPOTENCY_KEY_LENGTH, MAX_ITEMS, MAX_LIMIT,
                                        MAX_NOTE_LENGTH, MAX_QUANTITY, MAX_UNIT_PRICE)
from tests.handlers.orders.conftest import GOOD_ORDER, call
from tests.handlers.telemetry.helpers import FakeLambdaContext, api_event


def body_of_size(size: int) -> str:
    """A valid order padded with JSON whitespace to exactly `size` UTF-8 bytes."""
    text = json.dumps(GOOD_ORDER)
    assert len(text.encode()) <= size
    return text + " " * (size - len(text.encode()))


def test_the_limits_are_the_documented_ones():
    assert (MAX_BODY_BYTES, MAX_NOTE_LENGTH, MAX_ITEMS, MAX_QUANTITY, MAX_LIMIT, MAX_IDEMPOTENCY_KEY_LENGTH) == (
        64 * 1024, 500, 50, 1000, 100, 255)


@pytest.mark.parametrize("extra,status", [(0, 201), (1, 400)])
def test_body_at_the_size_limit_is_accepted_and_one_byte_more_is_not(table, extra, status):
    code, payload, _ = call("POST", "/orders", body_of_size(MAX_BODY_BYTES + extra))
    assert code == status, payload
    if status == 400:
        assert payload["field"] == "body" and str(MAX_BODY_BYTES) in payload["message"]


@pytest.mark.parametrize("extra,status", [(0, 201), (1, 400)])
def test_the_size_limit_applies_to_the_decoded_base64_body(table, extra, status):
    event = api_event("POST", "/orders", base64.b64encode(body_of_size(MAX_BODY_BYTES + extra).encode()).decode())
    event["isBase64Encoded"] = True
    response = app.handler(event, FakeLambdaContext())
    assert response["statusCode"] == status


@pytest.mark.parametrize("note,status", [
    ("n" * MAX_NOTE_LENGTH, 201),
    ("é" * MAX_NOTE_LENGTH, 201),             # characters, not bytes
    ("n" * (MAX_NOTE_LENGTH + 1), 400),
    ("é" * (MAX_NOTE_LENGTH + 1), 400),
])
def test_note_at_the_length_limit_is_accepted_and_one_character_more_is_not(table, note, status):
    code, payload, _ = call("POST", "/orders", {**GOOD_ORDER, "note": note})
    assert code == status, payload
    assert payload["note"] == note if status == 201 else payload["field"] == "note"


@pytest.mark.parametrize("currency,status", [("EUR", 201), ("EURO", 400), ("XEUR", 400), ("EUR\n", 400),
                                             ("\nEUR", 400), ("EU", 400), ("eur", 400)])
def test_currency_is_anchored_at_both_ends(table, currency, status):
    code, payload, _ = call("POST", "/orders", {**GOOD_ORDER, "currency": currency})
    assert code == status, payload
    if status == 400:
        assert payload["field"] == "currency"


ITEM = {"sku": "a", "quantity": 1, "unit_price": 1}


@pytest.mark.parametrize("order,field", [
    ({"customer_id": "c" * 64, "items": [ITEM]}, None),
    ({"customer_id": "c" * 65, "items": [ITEM]}, "customer_id"),
    ({"customer_id": "c", "items": [ITEM] * MAX_ITEMS}, None),
    ({"customer_id": "c", "items": [ITEM] * (MAX_ITEMS + 1)}, "items"),
    ({"customer_id": "c", "items": [{**ITEM, "quantity": MAX_QUANTITY}]}, None),
    ({"customer_id": "c", "items": [{**ITEM, "quantity": MAX_QUANTITY + 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{**ITEM, "unit_price": int(MAX_UNIT_PRICE)}]}, None),
    ({"customer_id": "c", "items": [{**ITEM, "unit_price": float(MAX_UNIT_PRICE) + 0.01}]}, "items[0].unit_price"),
    ({"customer_id": "c", "items": [{**ITEM, "unit_price": 0.01}]}, None),
    ({"customer_id": "c", "items": [{**ITEM, "unit_price": 0.001}]}, "items[0].unit_price"),
])
def test_order_field_limits(table, order, field):
    code, payload, _ = call("POST", "/orders", order)
    assert code == (201 if field is None else 400), payload
    if field is not None:
        assert payload["field"] == field


@pytest.mark.parametrize("limit,status", [("1", 200), (str(MAX_LIMIT), 200), ("0", 400), (str(MAX_LIMIT + 1), 400),
                                          ("0100", 200), ("00100", 400)])
def test_list_limit_bounds(table, limit, status):
    code, payload, _ = call("GET", "/orders", query={"limit": limit})
    assert code == status, payload


@pytest.mark.parametrize("length,status", [(1, 201), (MAX_IDEMPOTENCY_KEY_LENGTH, 201), (0, 400),
                                           (MAX_IDEMPOTENCY_KEY_LENGTH + 1, 400)])
def test_idempotency_key_length_bounds(table, length, status):
    code, payload, _ = call("POST", "/orders", GOOD_ORDER, headers={"Idempotency-Key": "k" * length})
    assert code == status, payload
    if status == 400:
        assert payload["field"] == "Idempotency-Key"
