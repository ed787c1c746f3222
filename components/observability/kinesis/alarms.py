"""Default alarms for a Kinesis data stream (namespace AWS/Kinesis, dimension StreamName).

Default set: GetRecords.IteratorAgeMilliseconds (Maximum) against
``kinesis_iterator_age_ms``, and records rejected by
Write/ReadProvisionedThroughputExceeded (Sum) against ``kinesis_throughput_exceeded``.
"""

from __future__ import annotations

from components.observability._factory import fmt, metric, profile_window, severity_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import KinesisRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Kinesis"


def iterator_age_alarms(stream: KinesisRef, t: AlarmThresholds, key_prefix: str = "kinesis") -> list[AlarmSpec]:
    return severity_alarms(
        t.kinesis_iterator_age_ms,
        (key_prefix, stream.key_part, "iterator-age"),
        window=profile_window(t),
        summary=lambda value: f"{stream.stream_name}: consumers >= {fmt(value)} ms behind",
        meaning=lambda value: (
            f"The oldest record read from {stream.stream_name} was {fmt(value)} ms old or more; consumers "
            "are falling behind and records are lost once they pass the stream retention."
        ),
        check_first="the consumer function's errors and duration (a failing batch blocks its shard), "
        "then IncomingRecords against shard count.",
        metric=metric(
            NAMESPACE, "GetRecords.IteratorAgeMilliseconds", {"StreamName": stream.stream_name}, "Maximum", t.period_seconds
        ),
    )


def _throughput_exceeded_alarms(stream: KinesisRef, t: AlarmThresholds, direction: str, metric_name: str) -> list[AlarmSpec]:
    return severity_alarms(
        t.kinesis_throughput_exceeded,
        ("kinesis", stream.key_part, f"{direction}-throttled"),
        window=profile_window(t),
        summary=lambda value: f"{stream.stream_name}: >= {fmt(value)} {direction}s throttled per {t.period_seconds}s",
        meaning=lambda _: (
            f"{direction.capitalize()}s on {stream.stream_name} exceeded the shard limits "
            "(1 MB/s or 1000 records/s in, 2 MB/s out per shard)."
        ),
        check_first="Incoming/Outgoing bytes per shard on the dashboard and the partition key spread; "
        "add shards or switch to on-demand capacity.",
        metric=metric(NAMESPACE, metric_name, {"StreamName": stream.stream_name}, "Sum", t.period_seconds),
    )


def throughput_exceeded_alarms(stream: KinesisRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Writes first, then reads."""
    return [
        *_throughput_exceeded_alarms(stream, t, "write", "WriteProvisionedThroughputExceeded"),
        *_throughput_exceeded_alarms(stream, t, "read", "ReadProvisionedThroughputExceeded"),
    ]


def stream_alarms(stream: KinesisRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for one stream."""
    return [*iterator_age_alarms(stream, t), *throughput_exceeded_alarms(stream, t)]
