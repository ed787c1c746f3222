"""Counting a sale exactly once: one DynamoDB transaction per stream record.

The transaction puts a marker item `day = "event#<stream event id>", sku = "-"` on condition
that it does not exist, and adds the sale to the day's line of each SKU and to the day total
(`sku = "#all"`, the only place the number of distinct orders is right). A redelivered
record finds its marker: the whole transaction is cancelled and nothing is counted twice.
Markers expire (TTL attribute `expires_at`) long after Lambda stops redelivering a stream
record (24 hours of stream retention).
"""

from __future__ import annotations

import time
from typing import Any

from handlers.boto_clients import client as aws_client
from handlers.sales_aggregate.order import Sale
from handlers.telemetry.structured_logger import iso_timestamp

DAY_TOTAL = "#all"
MARKER_SKU = "-"
MARKER_LIFETIME_SECONDS = 7 * 24 * 3600
def _add(table: str, day: str, sku: str, quantity: int, revenue: Any, currency: str, updated: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": {"day": {"S": day}, "sku": {"S": sku}},
            "UpdateExpression": "ADD quantity :quantity, revenue :revenue, orders :one SET currency = :currency, last_updated = :updated",
            "ExpressionAttributeValues": {
                ":quantity": {"N": str(quantity)},
                ":revenue": {"N": str(revenue)},
                ":one": {"N": "1"},
                ":currency": {"S": currency},
                ":updated": {"S": updated},
            },
        }
    }


def transaction(table: str, event_id: str, sale: Sale, now: float) -> list[dict[str, Any]]:
    """The TransactItems that count `sale` once for stream event `event_id` (pure)."""
    updated = iso_timestamp(now)
    marker = {
        "Put": {
            "TableName": table,
            "Item": {
                "day": {"S": f"event#{event_id}"},
                "sku": {"S": MARKER_SKU},
                "order_id": {"S": sale.order_id},
                "expires_at": {"N": str(int(now) + MARKER_LIFETIME_SECONDS)},
            },
            "ConditionExpression": "attribute_not_exists(#day)",
            "ExpressionAttributeNames": {"#day": "day"},
        }
    }
    lines = [_add(table, sale.day, sku, quantity, revenue, sale.currency, updated) for sku, quantity, revenue in sale.lines]
    return [marker, *lines, _add(table, sale.day, DAY_TOTAL, sale.units, sale.total, sale.currency, updated)]


def count_once(table: str, event_id: str, sale: Sale, client: Any = None, now: float | None = None) -> bool:
    """True when this call counted the sale, False when the record had been counted before."""
    client = client or aws_client("dynamodb")
    try:
        client.transact_write_items(TransactItems=transaction(table, event_id, sale, time.time() if now is None else now))
    except client.exceptions.TransactionCanceledException as error:
        reasons = error.response.get("CancellationReasons") or []
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True
