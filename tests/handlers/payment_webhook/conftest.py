"""Fixtures for the payment webhook: its table and secret in moto, the worker's environment, signed records."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Iterator

import boto3
import pytest

from handlers.payment_webhook import secret as secret_module
from handlers.payment_webhook.signature import sign
from handlers import boto_clients
from tests.handlers.mocked_account import mocked_account
from tests.handlers.telemetry.fixtures import aws, clean_telemetry, spans
from tests.handlers.telemetry.helpers import REGION, sqs_record
from tests.harness.fixtures import lambda_harness

TABLE = "platform-test-payment-webhook-table"
SECRET = b"whsec_test_0123456789"
QUEUE = "platform-test-payment-webhook-queue"

__all__ = ["aws", "clean_telemetry", "lambda_harness", "spans", "webhook", "webhook_account"]


@pytest.fixture(scope="module")
def webhook_account() -> Iterator[tuple[Any, str]]:
    """One mocked account per module with the table and the secret: starting moto costs more than a test."""
    with mocked_account():
        yield create_table_and_secret()


def create_table_and_secret() -> tuple[Any, str]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "payment_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "payment_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    arn = boto3.client("secretsmanager", region_name=REGION).create_secret(Name="webhook", SecretString=SECRET.decode())["ARN"]
    return dynamodb, arn


@pytest.fixture
def webhook(webhook_account: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The empty table, the secret and the environment; the worker's per-container caches start empty."""
    dynamodb, arn = webhook_account
    for item in dynamodb.scan(TableName=TABLE, ProjectionExpression="payment_id")["Items"]:
        dynamodb.delete_item(TableName=TABLE, Key=item)
    monkeypatch.setattr(boto_clients, "_clients", {})
    monkeypatch.setattr(secret_module, "_cache", {})
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("WEBHOOK_SECRET_ARN", arn)
    monkeypatch.setenv("SERVICE_NAME", "payment-webhook")
    return dynamodb


def payment_body(event_id: str = "evt_1", payment_id: str = "pay_1", status: str = "succeeded", order_id: str = "o-1") -> str:
    return json.dumps({"event_id": event_id, "payment_id": payment_id, "order_id": order_id, "status": status})


def signature_header(body: str, signed_at: int | None = None, secret: bytes = SECRET) -> str:
    timestamp = int(time.time()) if signed_at is None else signed_at
    return f"t={timestamp},v1={sign(secret, timestamp, body.encode())}"


def signed_record(body: str, signature: str | None, sent_at: float | None = None) -> dict[str, Any]:
    """An SQS record as API Gateway's SendMessage leaves it: the body as sent, the header as attribute."""
    attributes = {"signature": {"stringValue": signature, "dataType": "String"}} if signature is not None else {}
    sent = int((time.time() if sent_at is None else sent_at) * 1000)
    return sqs_record(body, message_id=str(uuid.uuid4()), message_attributes=attributes, attributes={"SentTimestamp": str(sent)}, queue=QUEUE)


def stored(dynamodb: Any, payment_id: str = "pay_1") -> dict[str, str]:
    item = dynamodb.get_item(TableName=TABLE, Key={"payment_id": {"S": payment_id}}, ConsistentRead=True).get("Item") or {}
    return {key: next(iter(value.values())) for key, value in item.items()}
