"""Daily sales report (scheduled job): yesterday's sales, e-mailed once per day.

Env: DATA_EXTRACTOR_FUNCTION (name or ARN), REPORT_TOPIC_ARN, CAFE_TIME_ZONE, IDEMPOTENCY_TABLE,
plus the telemetry variables. Which day: see `schedule`. The report is published through
`@idempotent` keyed by the day, so a retried or repeated run never sends a second e-mail.
"""

from __future__ import annotations

import datetime
from typing import Any

from handlers.boto_clients import client
from handlers.daily_report import extractor, report_text, schedule, summary
from handlers.environment import required, time_zone
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.idempotency import idempotent
from handlers.telemetry.propagation import inject_sns, publish_span

REPORT_KEPT_SECONDS = 3 * 24 * 3600  # beyond Scheduler's 24 h of retries and Lambda's own


@idempotent(key=lambda day, topic_arn, text: f"report#{day}", expires_after_seconds=REPORT_KEPT_SECONDS)
def publish_report(day: str, topic_arn: str, text: str) -> str:
    with publish_span(topic_arn.rsplit(":", 1)[-1], "aws_sns"):
        return client("sns").publish(**inject_sns({"TopicArn": topic_arn, "Subject": report_text.subject(day), "Message": text}))["MessageId"]


@instrument(service="daily-sales-report")
def handler(event: Any, context: Any) -> dict[str, Any]:
    zone_name, zone = time_zone("CAFE_TIME_ZONE")
    day = schedule.report_day(event, datetime.datetime.now(datetime.timezone.utc), zone)
    logger.append_keys(report_day=day)
    sales = summary.day_sales(extractor.extract(required("DATA_EXTRACTOR_FUNCTION"), day), day)
    message_id = publish_report(day, required("REPORT_TOPIC_ARN"), report_text.render(sales, zone_name))
    metrics.add_metric("ReportRuns", 1, unit=MetricUnit.Count)
    logger.info("report published", message_id=message_id, orders=sales.totals.orders, products=len(sales.lines))
    return {"day": day, "message_id": message_id}
