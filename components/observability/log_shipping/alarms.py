"""Default alarms for the CloudWatch Logs to OpenSearch shipper.

Shipping must lose nothing, so the set watches both the function and the
data path:
- the shipper Lambda's own default set (errors, throttles, duration, ...);
- EventsDeadLettered > 0, always critical: those documents need a replay;
- dead-letter objects present in S3 (AWS/S3 NumberOfObjects, daily storage metric);
- ShippingLagMs Maximum against ``shipping_lag_ms``;
- the Kinesis iterator age when logs arrive through a Kinesis stream.
Custom metrics are EMF in ``metrics_namespace`` with dimension Service.
"""

from __future__ import annotations

from components.observability._factory import ONE_DATAPOINT, alarm_spec, fmt, metric, profile_window, severity_alarms
from components.observability.descriptions import ERRORS_QUERY, logs_insights_hint
from components.observability.kinesis.alarms import iterator_age_alarms
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.model import AlarmSpec, MetricStat, Severity
from components.observability.refs import LogShippingRef
from components.observability.thresholds import AlarmThresholds

S3_STORAGE_PERIOD = 86_400  # S3 storage metrics are reported once a day


def shipper_metric(ref: LogShippingRef, name: str, stat: str, period: int) -> MetricStat:
    return metric(ref.metrics_namespace, name, {"Service": ref.service}, stat, period)


def dead_letter_objects_metric(ref: LogShippingRef) -> MetricStat:
    return metric(
        "AWS/S3",
        "NumberOfObjects",
        {"BucketName": ref.dead_letter_bucket, "StorageType": "AllStorageTypes"},
        "Average",
        S3_STORAGE_PERIOD,
    )


def dead_lettered_alarm(ref: LogShippingRef, t: AlarmThresholds) -> AlarmSpec:
    return alarm_spec(
        ("shipping", "dead-lettered"),
        Severity.CRITICAL,
        summary=f"log shipping: documents dead-lettered to s3://{ref.dead_letter_bucket}",
        meaning="The shipper gave up on at least one log document after retries and wrote it to the dead-letter "
        "bucket; it is missing from OpenSearch until replayed.",
        check_first=logs_insights_hint(ref.function.log_group_name, ERRORS_QUERY)
        + "; then OpenSearch ClusterIndexWritesBlocked and mapping errors, then replay the objects.",
        threshold=1.0,
        window=ONE_DATAPOINT,
        metric=shipper_metric(ref, "EventsDeadLettered", "Sum", t.period_seconds),
    )


def dead_letter_backlog_alarm(ref: LogShippingRef) -> AlarmSpec:
    return alarm_spec(
        ("shipping", "dead-letter-backlog"),
        Severity.WARNING,
        summary=f"log shipping: s3://{ref.dead_letter_bucket} holds documents awaiting replay",
        meaning="The dead-letter bucket is not empty (daily S3 storage metric), so some logs are still missing "
        "from OpenSearch.",
        check_first=f"the newest objects in s3://{ref.dead_letter_bucket}, fix the cause and replay them, then delete.",
        threshold=1.0,
        window=ONE_DATAPOINT,
        metric=dead_letter_objects_metric(ref),
    )


def lag_alarms(ref: LogShippingRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.shipping_lag_ms,
        ("shipping", "lag"),
        window=profile_window(t),
        summary=lambda value: f"log shipping: lag >= {fmt(value)} ms",
        meaning=lambda value: (
            f"Logs reach OpenSearch {fmt(value)} ms or more after they were written; searches miss recent events."
        ),
        check_first="the shipper's duration and EventsRetried (slow or rejecting bulk API), then OpenSearch "
        "ThreadpoolWriteQueue and CPUUtilization.",
        metric=shipper_metric(ref, "ShippingLagMs", "Maximum", t.period_seconds),
    )


def log_shipping_alarms(ref: LogShippingRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for the shipper and its data path."""
    specs = [
        *lambda_alarms(ref.function, t),
        dead_lettered_alarm(ref, t),
        dead_letter_backlog_alarm(ref),
        *lag_alarms(ref, t),
    ]
    if ref.kinesis is not None:
        specs += iterator_age_alarms(ref.kinesis, t, key_prefix="shipping-kinesis")
    return specs
