"""The kitchen table (`order_id` → ticket), written only with conditional, repeatable writes.

- OrderPlaced creates the ticket (`received`) only if there is none: a redelivery, or an
  OrderPlaced arriving after the ticket was already paid, changes nothing.
- OrderPaid sets `paid` on an existing ticket: doing it twice is the same as once. If there is
  no ticket yet the write is refused and the message retried: FIFO order per order means its
  OrderPlaced is ahead of it (the outbox publishes to the topic before the workflow can start).
"""

from __future__ import annotations

import time

from handlers.boto_clients import client
from handlers.order_events import OrderPaid, OrderPlaced
from handlers.telemetry.structured_logger import iso_timestamp


class TicketMissing(RuntimeError):
    """OrderPaid for an order the kitchen has no ticket for (yet)."""


def receive(table: str, event: OrderPlaced) -> bool:
    """True when the ticket was created now, False when it already existed."""
    dynamodb = client("dynamodb")
    items = [{"M": {"sku": {"S": sku}, "quantity": {"N": str(quantity)}}} for sku, quantity in event.items]
    try:
        dynamodb.put_item(
            TableName=table,
            Item={"order_id": {"S": event.order_id}, "status": {"S": "received"}, "items": {"L": items}, "updated_at": {"S": iso_timestamp(time.time())}},
            ConditionExpression="attribute_not_exists(order_id)",
        )
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return True


def mark_paid(table: str, event: OrderPaid) -> None:
    dynamodb = client("dynamodb")
    try:
        dynamodb.update_item(
            TableName=table,
            Key={"order_id": {"S": event.order_id}},
            UpdateExpression="SET #status = :paid, payment_id = :payment, updated_at = :now",
            ConditionExpression="attribute_exists(order_id)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":paid": {"S": "paid"}, ":payment": {"S": event.payment_id}, ":now": {"S": iso_timestamp(time.time())}},
        )
    except dynamodb.exceptions.ConditionalCheckFailedException as error:
        raise TicketMissing(f"no kitchen ticket for order {event.order_id} yet; its OrderPlaced must come first") from error
