"""The orders REST API against moto DynamoDB: every route and every kind of bad input."""

from __future__ import annotations

import base64
import json
import uuid

import boto3
import pytest

from handlers.orders import app
from handlers.orders.validation import MAX_ITEMS, encode_next_token
from tests.handlers.orders.conftest import GOOD_ORDER, TABLE, call, create, stored_orders
from tests.handlers.telemetry.emf_validator import assert_valid_emf
from tests.handlers.telemetry.helpers import REGION, XRAY_HEADER, XRAY_ROOT, FakeLambdaContext, api_event, parse_output

def test_create_then_get_an_order(table):
    created = create()
    assert uuid.UUID(created["order_id"]).version == 4
    assert created["total"] == 5 and created["currency"] == "EUR" and created["status"] == "placed"
    status, fetched, _ = call("GET", f"/orders/{created['order_id']}", path_parameters={"order_id": created["order_id"]})
    assert status == 200 and fetched == created


def test_create_returns_location(table):
    _, created, response = call("POST", "/orders", GOOD_ORDER)
    assert response["headers"]["Location"] == f"/orders/{created['order_id']}"


def test_exact_decimal_prices(table):
    created = create({"customer_id": "c", "items": [{"sku": "a", "quantity": 3, "unit_price": 0.1}]})
    assert created["total"] == pytest.approx(0.3) and created["items"][0]["unit_price"] == 0.1


def test_get_unknown_order_is_404(table):
    status, payload, _ = call("GET", f"/orders/{uuid.uuid4()}")
    assert status == 404 and payload["error"] == "not_found"


def test_list_paginates_with_an_opaque_token(table):
    created = {create()["order_id"] for _ in range(5)}
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"next_token": token} if token else {})}
        status, payload, _ = call("GET", "/orders", query=query)
        assert status == 200 and len(payload["orders"]) <= 2
        seen.extend(order["order_id"] for order in payload["orders"])
        pages += 1
        token = payload["next_token"]
        if not token:
            break
        assert "order_id" not in token  # opaque
    assert set(seen) == created and len(seen) == 5 and pages >= 3


def test_list_defaults_and_empty_table(table):
    status, payload, _ = call("GET", "/orders")
    assert status == 200 and payload == {"orders": [], "next_token": None}


BAD_CREATE = [
    ("{not json", "body"),
    ('"just a string"', "body"),
    ("[1, 2]", "body"),
    ("", "body"),
    ({"items": GOOD_ORDER["items"]}, "customer_id"),
    ({"customer_id": 5, "items": GOOD_ORDER["items"]}, "customer_id"),
    ({"customer_id": "has spaces", "items": GOOD_ORDER["items"]}, "customer_id"),
    ({"customer_id": "c"}, "items"),
    ({"customer_id": "c", "items": []}, "items"),
    ({"customer_id": "c", "items": "espresso"}, "items"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": 1}] * (MAX_ITEMS + 1)}, "items"),
    ({"customer_id": "c", "items": ["espresso"]}, "items[0]"),
    ({"customer_id": "c", "items": [{"quantity": 1, "unit_price": 1}]}, "items[0].sku"),
    ({"customer_id": "c", "items": [{"sku": "a", "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1}]}, "items[0].unit_price"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": -1, "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 0, "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1.5, "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": "2", "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": True, "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 10**6, "unit_price": 1}]}, "items[0].quantity"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": -0.01}]}, "items[0].unit_price"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": "1"}]}, "items[0].unit_price"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": 1.001}]}, "items[0].unit_price"),
    ('{"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": NaN}]}', "body"),
    ({"customer_id": "c", "items": [{"sku": "a", "quantity": 1, "unit_price": 1, "color": "red"}]}, "items[0].color"),
    ({"customer_id": "c", "items": GOOD_ORDER["items"], "currency": "euro"}, "currency"),
    ({"customer_id": "c", "items": GOOD_ORDER["items"], "note": 7}, "note"),
    ({"customer_id": "c", "items": GOOD_ORDER["items"], "admin": True}, "admin"),
    ("[" * 100000 + "]" * 100000, "body"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CREATE)
def test_bad_create_input_is_a_400_naming_the_field(table, body, field):
    status, payload, _ = call("POST", "/orders", body)
    assert status == 400, payload
    assert payload["error"] == "invalid_input" and payload["field"] == field and field in payload["message"]
    assert boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Count"] == 0


def test_base64_bodies_are_decoded_and_bad_base64_is_a_400(table):
    event = api_event("POST", "/orders", base64.b64encode(json.dumps(GOOD_ORDER).encode()).decode())
    event["isBase64Encoded"] = True
    assert app.handler(event, FakeLambdaContext())["statusCode"] == 201
    event["body"] = "***"
    response = app.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 400 and json.loads(response["body"])["field"] == "body"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1e2"}, "limit"),
        ({"next_token": "not-a-token"}, "next_token"),
        ({"next_token": base64.urlsafe_b64encode(b'{"order_id": "x"}').decode()}, "next_token"),
        ({"next_token": base64.urlsafe_b64encode(b"[1]").decode()}, "next_token"),
        ({"next_token": "a" * 2000}, "next_token"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_list_parameters_are_a_400(table, query, field):
    status, payload, _ = call("GET", "/orders", query=query)
    assert status == 400 and payload["field"] == field


def test_a_valid_token_for_a_deleted_position_still_works(table):
    status, payload, _ = call("GET", "/orders", query={"next_token": encode_next_token(str(uuid.uuid4()))})
    assert status == 200


@pytest.mark.parametrize("order_id", ["123", "not-a-uuid", "F7B0011A-DAB9-4774-97F0-571494DB7872", "x" * 300])
def test_bad_order_id_is_a_400(table, order_id):
    status, payload, _ = call("GET", f"/orders/{order_id}")
    assert status == 400 and payload["field"] == "order_id"


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("GET", "/customers"), ("GET", "/orders/a/b"), ("POST", "/ordersx")])
def test_unknown_route_is_a_404(table, method, path):
    status, payload, _ = call(method, path)
    assert status == 404 and payload["error"] == "not_found"


@pytest.mark.parametrize(("method", "path", "allowed"), [("DELETE", "/orders", "GET, POST"), ("PUT", "/orders/3f0b6c1e-7d2a-4c8e-9b1a-2e5f6a7b8c9d", "GET"), ("PATCH", "/orders", "GET, POST")])
def test_wrong_method_is_a_405_with_allow(table, method, path, allowed):
    status, payload, response = call(method, path)
    assert status == 405 and response["headers"]["Allow"] == allowed


def test_unexpected_failure_is_a_json_500_and_an_error_span(table, monkeypatch, spans, capsys):
    monkeypatch.setenv("TABLE_NAME", "missing-table")
    status, payload, _ = call("POST", "/orders", GOOD_ORDER)
    assert status == 500 and payload["error"] == "internal_error"
    root = [span for span in spans.get_finished_spans() if span.name == "POST /orders"][0]
    assert root.status.status_code.name == "ERROR"
    errors = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "ERROR"]
    assert errors and "ResourceNotFoundException" in errors[0]["exception"]


def test_not_an_api_gateway_event_is_a_400(table):
    response = app.handler("hello", FakeLambdaContext())
    assert response["statusCode"] == 400


def test_create_is_traced_logged_and_counted(table, monkeypatch, spans, capsys):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    context = FakeLambdaContext()
    response = app.handler(api_event("POST", "/orders", GOOD_ORDER), context)
    order_id = json.loads(response["body"])["order_id"]
    output = parse_output(capsys.readouterr().out)
    (created_log,) = [log for log in output.logs if log["message"] == "order created"]
    assert created_log["request_id"] == context.aws_request_id
    assert created_log["xray_trace_id"] == XRAY_ROOT and created_log["order_id"] == order_id
    assert created_log["service"] == "orders"
    (document,) = output.emf
    assert_valid_emf(document)
    assert document["OrdersCreated"] == 1 and document["Service"] == "orders"
    names = {span.name: span for span in spans.get_finished_spans()}
    root, put = names["POST /orders"], names["DynamoDB.PutItem"]
    assert put.parent.span_id == root.context.span_id and put.kind.name == "CLIENT"
    assert put.attributes["aws.dynamodb.table_names"] == (TABLE,)
    assert root.attributes["http.response.status_code"] == 201


def test_the_stored_order_carries_its_request_trace_context_and_is_placed(table, orders_dynamodb, monkeypatch, spans):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    created = create()
    (item,) = stored_orders(orders_dynamodb)
    (root,) = [span for span in spans.get_finished_spans() if span.name == "POST /orders"]
    context = item["trace_context"]["M"]
    assert context["traceparent"]["S"] == f"00-{root.context.trace_id:032x}-{root.context.span_id:016x}-01"
    assert context["xray"]["S"].startswith(f"Root={XRAY_ROOT};Parent={root.context.span_id:016x};Sampled=1")
    assert item["status"]["S"] == "placed"
    # The trace context is for the stream's consumers; the API's view of the order leaves it out.
    fetched = call("GET", f"/orders/{created['order_id']}")[1]
    assert "trace_context" not in created and "trace_context" not in fetched
    assert "trace_context" not in call("GET", "/orders")[1]["orders"][0]


def test_placing_an_order_publishes_nothing_itself(table, monkeypatch, spans):
    """Order events come from the table stream (order-outbox), so a failed publish can neither lose
    an event nor fail a stored order; the handler has no topic to publish to."""
    monkeypatch.setenv("ORDER_EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:orders")
    create()
    kinds = {span.kind.name for span in spans.get_finished_spans()}
    assert "PRODUCER" not in kinds


def test_the_cafe_takes_only_its_own_currency(table, monkeypatch):
    monkeypatch.setenv("CAFE_CURRENCY", "EUR")
    assert create({**GOOD_ORDER, "currency": "EUR"})["currency"] == "EUR"
    status, payload, _ = call("POST", "/orders", {**GOOD_ORDER, "currency": "USD"})
    assert status == 400 and payload["field"] == "currency" and "EUR" in payload["message"]
    monkeypatch.delenv("CAFE_CURRENCY")
    assert create({**GOOD_ORDER, "currency": "USD"})["currency"] == "USD"
