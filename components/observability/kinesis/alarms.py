"""Default alarms for a Kinesis data stream (namespace AWS/Kinesis, dimension StreamName).

Default set: GetRecords.IteratorAgeMilliseconds (Maximum) against
``kinesis_iterator_age_ms``, and records rejected by
Write/ReadProvisionedThroughputExceeded (Sum) against ``kinesis_throughput_exceeded``.
"""

from __future__ import annotations

from components.observability._factory import GTE, NOT_BREACHING, alarm_key, fmt, metric, per_severity
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import KinesisRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Kinesis"


def iterator_age_alarms(stream: KinesisRef, t: AlarmThresholds, key_prefix: str = "kinesis") -> list[AlarmSpec]:
    stat = metric(NAMESPACE, "GetRecords.IteratorAgeMilliseconds", {"StreamName": stream.stream_name}, "Maximum", t.period_seconds)

    def build(severity: Severity, value: float) -> AlarmSpec:
        return AlarmSpec(
            key=alarm_key(key_prefix, stream.key_part, "iterator-age", severity.value),
            severity=severity,
            summary=f"{stream.stream_name}: consumers >= {fmt(value)} ms behind",
            description=alarm_description(
                f"The oldest record read from {stream.stream_name} was {fmt(value)} ms old or more; consumers "
                "are falling behind and records are lost once they pass the stream retention.",
                "the consumer function's errors and duration (a failing batch blocks its shard), "
                "then IncomingRecords against shard count.",
            ),
            comparison=GTE,
            threshold=value,
            evaluation_periods=t.evaluation_periods,
            datapoints_to_alarm=t.datapoints_to_alarm,
            treat_missing_data=NOT_BREACHING,
            metric=stat,
        )

    return per_severity(t.kinesis_iterator_age_ms, build)


def throughput_exceeded_alarms(stream: KinesisRef, t: AlarmThresholds) -> list[AlarmSpec]:
    specs: list[AlarmSpec] = []
    for direction, metric_name in (("write", "WriteProvisionedThroughputExceeded"), ("read", "ReadProvisionedThroughputExceeded")):
        stat = metric(NAMESPACE, metric_name, {"StreamName": stream.stream_name}, "Sum", t.period_seconds)

        def build(severity: Severity, value: float, direction: str = direction, stat=stat) -> AlarmSpec:
            return AlarmSpec(
                key=alarm_key("kinesis", stream.key_part, f"{direction}-throttled", severity.value),
                severity=severity,
                summary=f"{stream.stream_name}: >= {fmt(value)} {direction}s throttled per {t.period_seconds}s",
                description=alarm_description(
                    f"{direction.capitalize()}s on {stream.stream_name} exceeded the shard limits "
                    "(1 MB/s or 1000 records/s in, 2 MB/s out per shard).",
                    "Incoming/Outgoing bytes per shard on the dashboard and the partition key spread; "
                    "add shards or switch to on-demand capacity.",
                ),
                comparison=GTE,
                threshold=value,
                evaluation_periods=t.evaluation_periods,
                datapoints_to_alarm=t.datapoints_to_alarm,
                treat_missing_data=NOT_BREACHING,
                metric=stat,
            )

        specs.extend(per_severity(t.kinesis_throughput_exceeded, build))
    return specs


def stream_alarms(stream: KinesisRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for one stream."""
    return [*iterator_age_alarms(stream, t), *throughput_exceeded_alarms(stream, t)]
