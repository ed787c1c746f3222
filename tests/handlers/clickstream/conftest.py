"""Fixtures for the clickstream consumer: its table in moto, clicks as Kinesis records."""

from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest

from handlers import boto_clients
from tests.handlers.mocked_account import mocked_account
from tests.handlers.telemetry.fixtures import aws, clean_telemetry, spans
from tests.handlers.telemetry.helpers import REGION
from tests.harness.fixtures import lambda_harness

TABLE = "platform-test-clickstream-table"

__all__ = ["aws", "clean_telemetry", "clicks_table", "lambda_harness", "spans", "table"]


def create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "page", "KeyType": "HASH"}, {"AttributeName": "minute", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "page", "AttributeType": "S"}, {"AttributeName": "minute", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def click(page: str = "/menu", event: str = "page_view", session_id: str = "s-1") -> str:
    return json.dumps({"session_id": session_id, "page": page, "event": event})


def views(client: Any) -> dict[tuple[str, str], int]:
    """The counters, without the markers."""
    items = client.scan(TableName=TABLE)["Items"]
    return {(item["page"]["S"], item["minute"]["S"]): int(item["views"]["N"]) for item in items if "views" in item}


def empty(client: Any) -> None:
    found = client.scan(TableName=TABLE, ProjectionExpression="page, #minute", ExpressionAttributeNames={"#minute": "minute"})
    for item in found["Items"]:
        client.delete_item(TableName=TABLE, Key=item)


@pytest.fixture(scope="module")
def clicks_table() -> Iterator[Any]:
    with mocked_account():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client)
        yield client


@pytest.fixture
def table(clicks_table: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    empty(clicks_table)
    monkeypatch.setattr(boto_clients, "_clients", {})
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("SERVICE_NAME", "clickstream")
    return clicks_table
