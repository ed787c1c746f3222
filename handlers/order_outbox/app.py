"""Order outbox: orders-table stream (INSERT) → OrderPlaced on the FIFO topic and the event bus.

Env: ORDER_EVENTS_TOPIC_ARN, EVENT_BUS_NAME, IDEMPOTENCY_TABLE, plus the telemetry variables.
Only INSERT records publish (an order's later updates are not new orders). A record that
cannot be published as an order fails alone (see handlers.telemetry.stream_poison) and, after
the mapping's retries, goes to its on-failure destination.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from handlers.environment import required
from handlers.order_outbox import events, publisher
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_dynamodb_batch
from handlers.telemetry.stream_poison import raise_if_first_record_failed


def relay(record: DynamoDBRecord) -> None:
    if record.raw_event.get("eventName") != "INSERT":
        return
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image:
        raise events.NotAnOrder("an INSERT without NewImage: the stream view must be NEW_IMAGE or NEW_AND_OLD_IMAGES")
    order = events.public_order(image)
    parent = publisher.order_context(record.raw_event)
    message_id = publisher.publish_to_topic(order, parent, required("ORDER_EVENTS_TOPIC_ARN"))
    event_id = publisher.put_on_bus(order, parent, required("EVENT_BUS_NAME"))
    metrics.add_metric("OrdersPublished", 1, unit=MetricUnit.Count)
    logger.info("OrderPlaced published", order_id=order["order_id"], message_id=message_id, event_id=event_id)


@instrument(service="order-outbox")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return raise_if_first_record_failed(event, process_dynamodb_batch(event, context, relay))
