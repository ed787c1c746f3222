"""The café's tables as docs/cafe.md defines them, created in moto for handler tests."""

from __future__ import annotations

from typing import Any

import boto3

from tests.handlers.telemetry.helpers import REGION

ORDERS_TABLE = "platform-test-orders-table"
SALES_TABLE = "platform-test-sales-aggregate-table"
KITCHEN_TABLE = "platform-test-kitchen-table"
LOYALTY_TABLE = "platform-test-loyalty-table"
IDEMPOTENCY_TABLE = "platform-test-idempotency"


def _create(name: str, keys: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name=REGION)
    schema = [{"AttributeName": key, "KeyType": role} for key, role in keys]
    attributes = [{"AttributeName": key, "AttributeType": "S"} for key, _ in keys]
    return client.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST", **extra)["TableDescription"]


def orders_table() -> str:
    """Returns the stream ARN: the outbox and the aggregator read NEW_IMAGE records."""
    created = _create(ORDERS_TABLE, [("order_id", "HASH")], StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    return created["LatestStreamArn"]


def sales_table(name: str = SALES_TABLE) -> str:
    _create(name, [("day", "HASH"), ("sku", "RANGE")])
    return name


def kitchen_table() -> str:
    _create(KITCHEN_TABLE, [("order_id", "HASH")])
    return KITCHEN_TABLE


def loyalty_table() -> str:
    _create(LOYALTY_TABLE, [("customer_id", "HASH")])
    return LOYALTY_TABLE


def idempotency_table(name: str = IDEMPOTENCY_TABLE) -> str:
    """Hash key `id`, as docs/telemetry.md asks (TTL is not needed in moto)."""
    _create(name, [("id", "HASH")])
    return name


def put_order(order: dict[str, Any]) -> None:
    """Write an order item as the orders API stores it (numbers as DynamoDB numbers)."""
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    boto3.client("dynamodb", region_name=REGION).put_item(
        TableName=ORDERS_TABLE, Item={name: serializer.serialize(value) for name, value in order.items()})


def sample_order(order_id: str, *, total: str = "7.50", created_at: str = "2026-03-14T09:15:00.000Z",
                 trace_context: dict[str, str] | None = None, customer_id: str = "c-1") -> dict[str, Any]:
    """An order item of the orders-table shape (docs/cafe.md): 2 espressos and a latte by default."""
    from decimal import Decimal

    order: dict[str, Any] = {
        "order_id": order_id,
        "customer_id": customer_id,
        "items": [{"sku": "espresso", "quantity": 2, "unit_price": Decimal("2.50")}, {"sku": "latte", "quantity": 1, "unit_price": Decimal("2.50")}],
        "currency": "EUR",
        "total": Decimal(total),
        "status": "placed",
        "created_at": created_at,
    }
    if trace_context:
        order["trace_context"] = trace_context
    return order
