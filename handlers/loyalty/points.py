"""Points for a paid order, and the one write that adds them.

Rule: one point per whole unit of the order's total (12.50 EUR earns 12). The write adds the
points and records the order as the customer's last, on condition that it is not already the
last one: together with `@idempotent` in the handler (keyed by order id) a paid order is
credited once, even if its OrderPaid is delivered twice or replayed from the DLQ later.
"""

from __future__ import annotations

import time
from decimal import ROUND_FLOOR, Decimal

from handlers.boto_clients import client
from handlers.order_events import OrderPaid
from handlers.telemetry.structured_logger import iso_timestamp


def points_for(total: Decimal) -> int:
    return int(total.to_integral_value(rounding=ROUND_FLOOR))


def credit(table: str, event: OrderPaid) -> int | None:
    """The customer's new balance, or None when this order had already been credited."""
    dynamodb = client("dynamodb")
    try:
        answer = dynamodb.update_item(
            TableName=table,
            Key={"customer_id": {"S": event.customer_id}},
            UpdateExpression="ADD points :points SET last_order_id = :order, updated_at = :now",
            ConditionExpression="attribute_not_exists(last_order_id) OR last_order_id <> :order",
            ExpressionAttributeValues={":points": {"N": str(points_for(event.total))}, ":order": {"S": event.order_id},
                                       ":now": {"S": iso_timestamp(time.time())}},
            ReturnValues="UPDATED_NEW",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return None
    return int(answer["Attributes"]["points"]["N"])
