"""The menu table: reads only (the service's role allows GetItem and Scan, nothing else)."""
from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer

from cafe_menu.validation import ListQuery

_deserializer = TypeDeserializer()
#: What a client sees of an item; anything else stored with it stays private.
PUBLIC_FIELDS = ("item_id", "name", "category", "price", "currency", "available", "description")


def table_name() -> str:
    name = os.environ.get("MENU_TABLE")
    if not name:
        raise RuntimeError("MENU_TABLE is not set: the component passes the menu table's name in it")
    return name


@lru_cache(maxsize=1)
def client() -> Any:
    """One client per process, created on first use (after gunicorn forked the worker)."""
    from cafe_menu.telemetry import trace_aws_calls

    dynamodb = boto3.client("dynamodb")
    trace_aws_calls(dynamodb)
    return dynamodb


def public_item(raw: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as JSON: numbers as exact decimal strings (prices are money)."""
    item = {key: _deserializer.deserialize(value) for key, value in raw.items() if key in PUBLIC_FIELDS}
    return {key: (format(value, "f") if isinstance(value, Decimal) else value) for key, value in item.items()}


def get_item(item_id: str) -> dict[str, Any] | None:
    found = client().get_item(TableName=table_name(), Key={"item_id": {"S": item_id}}).get("Item")
    return public_item(found) if found else None


def list_items(query: ListQuery) -> tuple[list[dict[str, Any]], str | None]:
    """One page of items (in the table's order) and the item_id to continue after, if any."""
    request: dict[str, Any] = {"TableName": table_name(), "Limit": query.limit}
    if query.category is not None:
        request["FilterExpression"] = "category = :category"
        request["ExpressionAttributeValues"] = {":category": {"S": query.category}}
    if query.start_key is not None:
        request["ExclusiveStartKey"] = {"item_id": {"S": query.start_key}}
    page = client().scan(**request)
    last = page.get("LastEvaluatedKey", {}).get("item_id", {}).get("S")
    return [public_item(raw) for raw in page.get("Items", [])], last
