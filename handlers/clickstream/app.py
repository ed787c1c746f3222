"""Clickstream consumer (Kinesis event source mapping): counts page views per page per minute.

Records are processed in order; a malformed record, or one that cannot be counted, stops the
batch and is reported as the failed item, so Lambda checkpoints what came before it and
retries from it. When that record is the first of the batch the handler raises instead
(handlers.telemetry.stream_poison), so that Lambda bisects the batch until the poison record
is alone, discards it to the on-failure destination after MaximumRetryAttempts, and the shard
moves on. Env: TABLE_NAME (docs/cafe.md).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

from handlers.boto_clients import client
from handlers.clickstream.click import MalformedClick, minute_of, parse_click
from handlers.clickstream.counter import PageViews
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_kinesis_batch
from handlers.telemetry.stream_poison import raise_if_first_record_failed


def table_name() -> str:
    name = os.environ.get("TABLE_NAME", "").strip()
    if not name:
        raise RuntimeError("TABLE_NAME is not set")
    return name


def count(record: KinesisStreamRecord, views: PageViews) -> None:
    try:
        click = parse_click(record.kinesis.data_as_bytes())
    except MalformedClick:
        metrics.add_metric("ClicksMalformed", 1, unit=MetricUnit.Count)
        raise
    if not click.is_page_view:
        return
    arrived = record.kinesis.approximate_arrival_timestamp
    if views.count_once(record.event_id, click.page, minute_of(arrived), arrived):
        metrics.add_metric("PageViewsCounted", 1, unit=MetricUnit.Count)
    else:
        metrics.add_metric("PageViewsDuplicate", 1, unit=MetricUnit.Count)
        logger.info("record already counted", page=click.page)


@instrument(service="clickstream")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    views = PageViews(client("dynamodb"), table_name())
    return dict(raise_if_first_record_failed(event, process_kinesis_batch(event, context, lambda record: count(record, views))))
