"""POST /orders with an Idempotency-Key, against moto: a retry gets the first response, and an
order is stored once even when the first attempt failed after its write."""

from __future__ import annotations

import json

import pytest

from handlers.orders import app, idempotent_create
from handlers.telemetry.idempotency import IdempotencyStore, record_id
from tests.handlers.orders.conftest import GOOD_ORDER, IDEMPOTENCY_TABLE, call, stored_orders
from tests.handlers.telemetry.helpers import FakeLambdaContext, api_event

KEY = {"Idempotency-Key": "order-attempt-7f3a"}
NAMESPACE = "orders#handlers.orders.idempotent_create._first_response"


def exact(response):
    """What a client sees: status, headers (Location included) and body."""
    return response["statusCode"], response["headers"], response["body"]


def test_without_a_key_every_post_places_a_new_order(table, orders_dynamodb):
    first, second = call("POST", "/orders", GOOD_ORDER)[1], call("POST", "/orders", GOOD_ORDER)[1]
    assert first["order_id"] != second["order_id"]
    assert len(stored_orders(orders_dynamodb)) == 2


def test_a_retry_with_the_same_key_gets_the_first_response_and_stores_nothing(table, orders_dynamodb):
    _, _, first = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    _, _, again = call("POST", "/orders", GOOD_ORDER, headers={"idempotency-key": KEY["Idempotency-Key"]})
    assert first["statusCode"] == 201 and exact(again) == exact(first)
    assert first["headers"]["Location"] == f"/orders/{json.loads(first['body'])['order_id']}"
    assert len(stored_orders(orders_dynamodb)) == 1


def test_the_same_order_written_differently_is_the_same_request(table, orders_dynamodb):
    _, _, first = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    reformatted = ('{ "note":"no sugar", "items":[{"unit_price": 2.50, "quantity": 2, "sku": "espresso"}],'
                   ' "customer_id": "c-1" }')
    _, _, again = call("POST", "/orders", reformatted, headers=KEY)
    assert exact(again) == exact(first) and len(stored_orders(orders_dynamodb)) == 1


@pytest.mark.parametrize("change", [{"customer_id": "c-2"}, {"note": "with sugar"}, {"currency": "USD"},
                                    {"items": [{"sku": "espresso", "quantity": 3, "unit_price": 2.5}]}])
def test_the_same_key_with_a_different_order_is_a_422_naming_the_header(table, orders_dynamodb, change):
    created = call("POST", "/orders", GOOD_ORDER, headers=KEY)[1]
    status, payload, _ = call("POST", "/orders", {**GOOD_ORDER, **change}, headers=KEY)
    assert status == 422 and payload["field"] == "Idempotency-Key" and "Idempotency-Key" in payload["message"]
    (stored,) = stored_orders(orders_dynamodb)
    assert stored["order_id"]["S"] == created["order_id"] and stored["customer_id"]["S"] == "c-1"


def test_a_failure_after_the_write_is_retried_into_the_stored_order_exactly_once(table, orders_dynamodb, monkeypatch):
    real_add_metric = app.metrics.add_metric
    calls = []

    def add_metric_failing_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise ConnectionError("metrics sink unavailable")
        return real_add_metric(*args, **kwargs)

    monkeypatch.setattr(app.metrics, "add_metric", add_metric_failing_once)
    status, payload, _ = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    assert status == 500 and payload["error"] == "internal_error"
    (written,) = stored_orders(orders_dynamodb)
    assert written["order_id"]["S"] == idempotent_create.order_id_for(KEY["Idempotency-Key"])
    assert orders_dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Count"] == 0  # released, so the retry runs

    retry = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    assert retry[0] == 201 and retry[1]["order_id"] == written["order_id"]["S"]
    assert retry[1]["created_at"] == written["created_at"]["S"]  # the stored order, not a new one
    assert retry[2]["headers"]["Location"] == f"/orders/{written['order_id']['S']}"
    assert len(stored_orders(orders_dynamodb)) == 1
    assert exact(call("POST", "/orders", GOOD_ORDER, headers=KEY)[2]) == exact(retry[2])
    assert len(stored_orders(orders_dynamodb)) == 1


def test_after_a_failed_attempt_the_key_still_refuses_a_different_order(table, orders_dynamodb, monkeypatch):
    monkeypatch.setattr(app.metrics, "add_metric", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    assert call("POST", "/orders", GOOD_ORDER, headers=KEY)[0] == 500
    status, payload, _ = call("POST", "/orders", {**GOOD_ORDER, "note": "other"}, headers=KEY)
    assert (status, payload["field"]) == (422, "Idempotency-Key")
    assert len(stored_orders(orders_dynamodb)) == 1


def test_once_the_store_forgets_the_key_the_order_itself_still_answers(table, orders_dynamodb):
    _, created, first = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    for item in orders_dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]:  # as TTL would
        orders_dynamodb.delete_item(TableName=IDEMPOTENCY_TABLE, Key={"id": item["id"]})
    status, again, _ = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    assert status == 201 and again == created and len(stored_orders(orders_dynamodb)) == 1


def test_a_retry_while_the_first_request_runs_is_a_409_naming_the_header(table, orders_dynamodb):
    store = IdempotencyStore(IDEMPOTENCY_TABLE, orders_dynamodb, 3600)
    assert store.try_start(record_id(NAMESPACE, KEY["Idempotency-Key"])) is None  # the first request
    status, payload, _ = call("POST", "/orders", GOOD_ORDER, headers=KEY)
    assert (status, payload["field"]) == (409, "Idempotency-Key")
    assert stored_orders(orders_dynamodb) == []


def test_a_key_sent_twice_with_different_values_is_a_400(table):
    event = api_event("POST", "/orders", GOOD_ORDER)
    event["headers"]["Idempotency-Key"] = "b"
    event["multiValueHeaders"] = {"Idempotency-Key": ["a", "b"]}
    response = app.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 400 and json.loads(response["body"])["field"] == "Idempotency-Key"


def test_get_ignores_the_header(table):
    assert call("GET", "/orders", headers=KEY)[0] == 200


def test_derived_order_ids_are_valid_distinct_uuid4s():
    from handlers.orders.validation import validate_order_id

    ids = {idempotent_create.order_id_for(f"key-{n}") for n in range(200)}
    assert len(ids) == 200 and all(validate_order_id(i) == i for i in ids)
