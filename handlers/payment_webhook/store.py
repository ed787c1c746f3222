"""The latest provider event per payment, in the service's table (key `payment_id`).

Events for one payment may arrive twice or out of order (retries, redeliveries, the provider's
own resends), so one conditional put decides: an event replaces the stored one only when it is
later in the order (signing time, then event id). Every arrival order of the same events thus
ends with the same item, and a duplicate is a no-op.
"""

from __future__ import annotations

from typing import Any

from handlers.payment_webhook.event import PaymentEvent

NEWER = "attribute_not_exists(payment_id) OR signed_at < :signed_at OR (signed_at = :signed_at AND event_id < :event_id)"


def item(event: PaymentEvent, signed_at: int, received_at: str) -> dict[str, Any]:
    return {
        "payment_id": {"S": event.payment_id},
        "event_id": {"S": event.event_id},
        "order_id": {"S": event.order_id},
        "status": {"S": event.status},
        "signed_at": {"N": str(signed_at)},
        "received_at": {"S": received_at},
    }


class PaymentEvents:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def record(self, event: PaymentEvent, signed_at: int, received_at: str) -> bool:
        """True when stored; False when the table already holds this event or a later one."""
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item(event, signed_at, received_at),
                ConditionExpression=NEWER,
                ExpressionAttributeValues={":signed_at": {"N": str(signed_at)}, ":event_id": {"S": event.event_id}},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True
