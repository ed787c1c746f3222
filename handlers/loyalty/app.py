"""Loyalty worker (standard queue; the subscription admits only OrderPaid): points per paid order.

Env: TABLE_NAME (the loyalty table), IDEMPOTENCY_TABLE, plus the telemetry variables.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers import order_events
from handlers.environment import required
from handlers.loyalty import points
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_sqs_batch
from handlers.telemetry.idempotency import idempotent

CREDIT_KEPT_SECONDS = 14 * 24 * 3600  # as long as a message can wait in the DLQ before a redrive


@idempotent(key=lambda event: f"paid#{event.order_id}", expires_after_seconds=CREDIT_KEPT_SECONDS)
def credit_once(event: order_events.OrderPaid) -> int | None:
    return points.credit(required("TABLE_NAME"), event)


def apply(record: SQSRecord) -> None:
    event = order_events.parse(record.body)
    if not isinstance(event, order_events.OrderPaid):
        raise order_events.NotAnOrderEvent(f"event_type: loyalty only takes OrderPaid (the subscription filter should admit nothing else), got {type(event).__name__}")
    balance = credit_once(event)
    metrics.add_metric("PointsCredited" if balance is not None else "DuplicateOrderPaid", 1, unit=MetricUnit.Count)
    logger.info("points credited" if balance is not None else "order already credited", order_id=event.order_id,
                customer_id=event.customer_id, points=points.points_for(event.total), balance=balance)


@instrument(service="loyalty")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_sqs_batch(event, context, apply, skip_group_on_error=True)  # only matters on a FIFO queue
