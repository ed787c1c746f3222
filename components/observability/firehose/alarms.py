"""Default alarms for a Firehose delivery stream into S3 (AWS/Firehose, dimension DeliveryStreamName).

- DeliveryToS3.DataFreshness (Maximum, s) as % of the buffer interval: records should leave within
  one buffer interval, so several intervals means delivery is failing or falling behind;
- DeliveryToS3.Success (Minimum) below 1: some PutObject calls failed and are being retried
  (Firehose gives up after 24 hours and writes the records to the error prefix).
"""

from __future__ import annotations

from components.observability._factory import LT, alarm_key, fmt, metric, profile_window, severity_alarms
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import DeliveryStreamRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Firehose"
NOT_BREACHING = "notBreaching"


def _dims(stream: DeliveryStreamRef) -> dict[str, str]:
    return {"DeliveryStreamName": stream.stream_name}


def freshness_threshold_seconds(buffer_seconds: int, pct: float) -> float:
    """Relative to the buffer, with a 60 s floor: a zero buffer still takes a delivery round-trip."""
    return pct * max(buffer_seconds, 60) / 100


def freshness_alarms(stream: DeliveryStreamRef, t: AlarmThresholds) -> list[AlarmSpec]:
    def seconds(pct: float) -> float:
        return freshness_threshold_seconds(stream.buffer_seconds, pct)

    return severity_alarms(
        t.firehose_freshness_pct_of_buffer, ("firehose", stream.key_part, "freshness"),
        window=profile_window(t),
        summary=lambda pct: f"{stream.stream_name}: oldest undelivered record >= {fmt(seconds(pct))} s",
        meaning=lambda pct: (f"Records waited {fmt(seconds(pct))} s in {stream.stream_name}, {fmt(pct)}% of its "
                             f"{stream.buffer_seconds} s buffer: delivery to the archive is failing or behind."),
        check_first="DeliveryToS3.Success and the errors/ prefix of the archive bucket, then the delivery role's "
        "s3:PutObject and KMS permissions.",
        threshold=seconds,
        metric=metric(NAMESPACE, "DeliveryToS3.DataFreshness", _dims(stream), "Maximum", t.period_seconds))


def delivery_failure_alarm(stream: DeliveryStreamRef, t: AlarmThresholds) -> AlarmSpec:
    window = profile_window(t)
    return AlarmSpec(
        key=alarm_key("firehose", stream.key_part, "delivery", Severity.WARNING.value), severity=Severity.WARNING,
        summary=f"{stream.stream_name}: archive writes failing",
        description=alarm_description(
            f"Some S3 writes of {stream.stream_name} failed; Firehose retries for 24 hours, then writes the records "
            "under the bucket's errors/ prefix.",
            "the errors/ prefix of the archive bucket for the error code, then the delivery role."),
        comparison=LT, threshold=1.0, evaluation_periods=window.evaluation_periods,
        datapoints_to_alarm=window.datapoints_to_alarm, treat_missing_data=NOT_BREACHING,
        metric=metric(NAMESPACE, "DeliveryToS3.Success", _dims(stream), "Minimum", t.period_seconds))


def delivery_stream_alarms(stream: DeliveryStreamRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return [*freshness_alarms(stream, t), delivery_failure_alarm(stream, t)]
