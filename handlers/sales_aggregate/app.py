"""Sales aggregate: orders-table stream (INSERT) → exactly-once daily totals per product.

Env: TABLE_NAME (the sales-aggregate table), HIGH_BALANCE_TOPIC_ARN, HIGH_VALUE_THRESHOLD (a
decimal, in the café's currency), CAFE_TIME_ZONE (IANA name, e.g. Europe/Paris),
CAFE_CURRENCY (ISO 4217, default EUR), IDEMPOTENCY_TABLE, plus the telemetry variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from handlers.environment import ConfigurationError, required, time_zone
from handlers.sales_aggregate import alert, order, totals
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_dynamodb_batch
from handlers.telemetry.stream_poison import raise_if_first_record_failed


@dataclass(frozen=True)
class Settings:
    table: str
    topic_arn: str
    threshold: Decimal
    zone_name: str
    zone: ZoneInfo
    currency: str


def settings() -> Settings:
    """Read per invocation: cheap, and a configuration change never needs a cold start."""
    try:
        threshold = Decimal(required("HIGH_VALUE_THRESHOLD"))
    except InvalidOperation as error:
        raise ConfigurationError(f"HIGH_VALUE_THRESHOLD {os.environ['HIGH_VALUE_THRESHOLD']!r} is not a decimal number") from error
    zone_name, zone = time_zone("CAFE_TIME_ZONE")
    return Settings(required("TABLE_NAME"), required("HIGH_BALANCE_TOPIC_ARN"), threshold, zone_name, zone,
                    os.environ.get("CAFE_CURRENCY") or "EUR")


def count(record: DynamoDBRecord) -> None:
    if record.raw_event.get("eventName") != "INSERT":
        return  # an order's later updates are not new sales
    config = settings()
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image:
        raise order.UnusableOrder("an INSERT without NewImage: the stream view must be NEW_IMAGE or NEW_AND_OLD_IMAGES")
    sale = order.sale_of(image, config.zone, config.currency)
    counted = totals.count_once(config.table, record.raw_event["eventID"], sale)
    metrics.add_metric("SalesCounted" if counted else "SalesAlreadyCounted", 1, unit=MetricUnit.Count)
    logger.info("sale counted" if counted else "sale already counted", order_id=sale.order_id, day=sale.day, total=str(sale.total))
    if sale.total >= config.threshold:
        message_id = alert.publish_once(sale, config.topic_arn, alert.text(sale, config.zone_name, config.threshold))
        metrics.add_metric("HighValueAlerts", 1, unit=MetricUnit.Count)
        logger.info("high-value alert published", order_id=sale.order_id, message_id=message_id)


@instrument(service="sales-aggregate")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return raise_if_first_record_failed(event, process_dynamodb_batch(event, context, count))
