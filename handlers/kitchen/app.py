"""Kitchen worker (FIFO queue subscribed to order-events): a ticket per order, received → paid.

Env: TABLE_NAME (the kitchen table), plus the telemetry variables. Messages of one order come
in order (message group = order id). A message that fails stops only its own order's group
(`skip_group_on_error`): the other orders in the batch go on, and are not charged a receive
towards the DLQ for someone else's poison message.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers import order_events
from handlers.environment import required
from handlers.kitchen import tickets
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_sqs_batch


def apply(record: SQSRecord) -> None:
    event = order_events.parse(record.body)
    if isinstance(event, order_events.OrderPlaced):
        created = tickets.receive(required("TABLE_NAME"), event)
        metrics.add_metric("TicketsReceived" if created else "DuplicateOrderPlaced", 1, unit=MetricUnit.Count)
        logger.info("ticket received" if created else "ticket already received", order_id=event.order_id, items=len(event.items))
    else:
        tickets.mark_paid(required("TABLE_NAME"), event)
        metrics.add_metric("TicketsPaid", 1, unit=MetricUnit.Count)
        logger.info("ticket paid", order_id=event.order_id, payment_id=event.payment_id)


@instrument(service="kitchen")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_sqs_batch(event, context, apply, skip_group_on_error=True)
