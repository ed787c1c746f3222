"""Optional OrderCreated notifications on SNS, carrying the trace context to subscribers.

Enabled by env ORDER_EVENTS_TOPIC_ARN; without it the API only writes to DynamoDB.
"""

from __future__ import annotations

import os
from typing import Any

from handlers.orders.serialization import to_json
from handlers.telemetry.propagation import inject_sns, publish_span


def topic_arn() -> str | None:
    return os.environ.get("ORDER_EVENTS_TOPIC_ARN") or None


def order_created_message(record: dict[str, Any]) -> dict[str, Any]:
    """Publish kwargs: the order as JSON plus an `event_type` attribute subscribers can filter on."""
    return inject_sns(
        {
            "Message": to_json({"event_type": "OrderCreated", "order": record}),
            "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": "OrderCreated"}},
        }
    )


def publish_order_created(client: Any, record: dict[str, Any]) -> str | None:
    arn = topic_arn()
    if arn is None:
        return None
    with publish_span(arn.rsplit(":", 1)[-1], "aws_sns"):
        return client.publish(TopicArn=arn, **order_created_message(record))["MessageId"]
