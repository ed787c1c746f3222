"""Fixtures for the orders API tests: one mocked account per module with the orders table and the
idempotency table, emptied before each test, and a helper that calls the handler like API Gateway."""

from __future__ import annotations

import json
from typing import Any

import boto3
import moto
import pytest

from handlers.orders import app
from handlers.telemetry import idempotency
from tests.handlers.telemetry.fixtures import aws, clean_telemetry, idempotency_table, log_exporter, spans
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext, api_event

__all__ = ["aws", "clean_telemetry", "idempotency_table", "log_exporter", "spans"]

TABLE = "platform-test-orders-table"
IDEMPOTENCY_TABLE = "platform-test-orders-idempotency"
GOOD_ORDER = {"customer_id": "c-1", "items": [{"sku": "espresso", "quantity": 2, "unit_price": 2.5}], "note": "no sugar"}


@pytest.fixture(scope="module")
def orders_dynamodb():
    """One mocked account and its tables per module: creating a moto table costs more than a test."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            patch.setenv(name, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with moto.mock_aws():
            client = boto3.client("dynamodb", region_name=REGION)
            for name, key in ((TABLE, "order_id"), (IDEMPOTENCY_TABLE, "id")):
                client.create_table(
                    TableName=name,
                    KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )
            yield client


def empty(client: Any, table: str, key: str) -> None:
    for item in client.scan(TableName=table, ProjectionExpression="#k", ExpressionAttributeNames={"#k": key})["Items"]:
        client.delete_item(TableName=table, Key=item)


@pytest.fixture
def table(orders_dynamodb, monkeypatch):
    empty(orders_dynamodb, TABLE, "order_id")
    empty(orders_dynamodb, IDEMPOTENCY_TABLE, "id")
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY_TABLE)
    # The module-level clients were built at import, before the test credentials existed.
    monkeypatch.setattr(app, "_dynamodb", orders_dynamodb)
    monkeypatch.setattr(idempotency, "_clients", {REGION: orders_dynamodb})
    return TABLE


def stored_orders(client: Any) -> list[dict[str, Any]]:
    return client.scan(TableName=TABLE, ConsistentRead=True)["Items"]


def call(method: str, path: str, body: Any = None, query: dict[str, str] | None = None,
         path_parameters: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    event = api_event(method, path, body, query, path_parameters=path_parameters)
    event["headers"].update(headers or {})
    response = app.handler(event, FakeLambdaContext())
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"]), response


def create(body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    status, payload, _ = call("POST", "/orders", GOOD_ORDER if body is None else body, headers=headers)
    assert status == 201, payload
    return payload
