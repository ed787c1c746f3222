"""Reads one day of the sales-aggregate table (hash key `day`, range key `sku`).

Strongly consistent, paginated Query: the report is read once a day and must include every
order the aggregator counted before it ran. Marker items (`day = "event#..."`) never match a
date, so they are not read.
"""

from __future__ import annotations

import os
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_deserializer = TypeDeserializer()
_clients: dict[str, Any] = {}


def dynamodb_client() -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    if region not in _clients:
        import boto3

        _clients[region] = boto3.client("dynamodb", region_name=region)
    return _clients[region]


def items_of_day(table: str, day: str, client: Any = None) -> list[dict[str, Any]]:
    client = client or dynamodb_client()
    request: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "#day = :day",
        "ExpressionAttributeNames": {"#day": "day"},
        "ExpressionAttributeValues": {":day": {"S": day}},
        "ConsistentRead": True,
    }
    items: list[dict[str, Any]] = []
    while True:
        page = client.query(**request)
        items.extend({name: _deserializer.deserialize(value) for name, value in item.items()} for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
