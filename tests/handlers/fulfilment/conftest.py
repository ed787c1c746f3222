"""Fixtures for the fulfilment tasks: moto tables, the fake payment provider, the tasks' environment."""

from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest

from handlers import boto_clients
from tests.handlers.fulfilment.payment_provider import FakePaymentProvider
from tests.handlers.mocked_account import mocked_account
from tests.handlers.telemetry.fixtures import aws, clean_telemetry, spans
from tests.handlers.telemetry.helpers import REGION
from tests.harness.fixtures import aws_with_state_machines, workflow_harness

STOCK_TABLE = "platform-test-fulfilment-stock"
CIRCUIT_TABLE = "platform-test-fulfilment-circuit"
THRESHOLD = 3
OPEN_SECONDS = 30

__all__ = ["aws", "aws_with_state_machines", "clean_telemetry", "spans", "dynamodb", "fulfilment_tables", "provider", "fulfilment_env", "workflow_harness"]


def create_tables(client: Any) -> None:
    for name, key in ((STOCK_TABLE, "sku"), (CIRCUIT_TABLE, "circuit")):
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )


def set_stock(client: Any, **available: int) -> None:
    for sku, count in available.items():
        client.put_item(TableName=STOCK_TABLE, Item={"sku": {"S": sku}, "available": {"N": str(count)}})


def stock_of(client: Any, sku: str) -> int | None:
    item = client.get_item(TableName=STOCK_TABLE, Key={"sku": {"S": sku}}, ConsistentRead=True).get("Item")
    return int(item["available"]["N"]) if item else None


def circuit_item(client: Any) -> dict[str, Any]:
    return client.get_item(TableName=CIRCUIT_TABLE, Key={"circuit": {"S": "payment-provider"}}, ConsistentRead=True).get("Item") or {}


@pytest.fixture(scope="module")
def fulfilment_tables() -> Iterator[Any]:
    """One mocked account with both tables per module: starting moto costs more than a test."""
    with mocked_account():
        client = boto3.client("dynamodb", region_name=REGION)
        create_tables(client)
        yield client


def empty(client: Any, table: str, key: str) -> None:
    for item in client.scan(TableName=table, ProjectionExpression=key)["Items"]:
        client.delete_item(TableName=table, Key=item)


@pytest.fixture
def dynamodb(fulfilment_tables: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Both fulfilment tables, empty; the tasks' cached client is rebuilt inside the mock."""
    monkeypatch.setattr(boto_clients, "_clients", {})
    empty(fulfilment_tables, STOCK_TABLE, "sku")
    empty(fulfilment_tables, CIRCUIT_TABLE, "circuit")
    return fulfilment_tables


@pytest.fixture
def provider() -> Iterator[FakePaymentProvider]:
    with FakePaymentProvider() as fake:
        yield fake


@pytest.fixture
def fulfilment_env(monkeypatch: pytest.MonkeyPatch, dynamodb: Any, provider: FakePaymentProvider) -> dict[str, str]:
    env = {
        "SERVICE_NAME": "fulfilment",
        "STOCK_TABLE": STOCK_TABLE,
        "CIRCUIT_TABLE": CIRCUIT_TABLE,
        "PAYMENT_PROVIDER_URL": provider.url,
        "CIRCUIT_FAILURE_THRESHOLD": str(THRESHOLD),
        "CIRCUIT_OPEN_SECONDS": str(OPEN_SECONDS),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
