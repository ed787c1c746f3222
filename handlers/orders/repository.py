"""DynamoDB access for orders; the only module of the service that does I/O.

Table (env TABLE_NAME): hash key `order_id` (S), no range key, no index. Listing is a
paginated Scan; at this service's scale that is cheaper than maintaining an index.
Each call runs in an OpenTelemetry CLIENT span (besides the X-Ray subsegment that the
patched botocore adds), so the call shows in OpenSearch traces too.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from opentelemetry import trace
from opentelemetry.trace import SpanKind

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class OrderExists(Exception):
    """The generated order id is already taken (practically never, but never overwrite)."""


def create_client() -> Any:
    return boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")


class OrdersRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.table_name = table_name

    @contextmanager
    def _call(self, operation: str) -> Iterator[trace.Span]:
        attributes = {
            "rpc.system": "aws-api",
            "rpc.service": "DynamoDB",
            "rpc.method": operation,
            "db.system.name": "aws.dynamodb",
            "aws.dynamodb.table_names": [self.table_name],
        }
        with trace.get_tracer("handlers.orders").start_as_current_span(
            f"DynamoDB.{operation}", kind=SpanKind.CLIENT, attributes=attributes, record_exception=True
        ) as span:
            yield span

    def put_new(self, record: dict[str, Any]) -> None:
        item = {key: _serializer.serialize(value) for key, value in record.items()}
        with self._call("PutItem"):
            try:
                self.client.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(order_id)")
            except self.client.exceptions.ConditionalCheckFailedException as error:
                raise OrderExists(record["order_id"]) from error

    def get(self, order_id: str, consistent: bool = False) -> dict[str, Any] | None:
        """`consistent` reads what a write that just failed its condition saw, not a stale copy."""
        with self._call("GetItem"):
            found = self.client.get_item(TableName=self.table_name, Key={"order_id": {"S": order_id}}, ConsistentRead=consistent)
        item = found.get("Item")
        return {key: _deserializer.deserialize(value) for key, value in item.items()} if item else None

    def page(self, limit: int, start_after: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Up to `limit` orders and the order id to continue after (None on the last page)."""
        request: dict[str, Any] = {"TableName": self.table_name, "Limit": limit}
        if start_after:
            request["ExclusiveStartKey"] = {"order_id": {"S": start_after}}
        with self._call("Scan") as span:
            found = self.client.scan(**request)
            span.set_attribute("aws.dynamodb.count", int(found.get("Count", 0)))
        items = [{key: _deserializer.deserialize(value) for key, value in item.items()} for item in found.get("Items", [])]
        last = found.get("LastEvaluatedKey")
        return items, (last["order_id"]["S"] if last else None)
