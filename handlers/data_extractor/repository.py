"""Reads one day of the sales-aggregate table (hash key `day`, range key `sku`).

Strongly consistent, paginated Query: the report is read once a day and must include every
order the aggregator counted before it ran. Marker items (`day = "event#..."`) never match a
date, so they are not read.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from handlers.boto_clients import client as aws_client

_deserializer = TypeDeserializer()


def items_of_day(table: str, day: str, client: Any = None) -> list[dict[str, Any]]:
    client = client or aws_client("dynamodb")
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
