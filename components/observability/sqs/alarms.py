"""Default alarms for an SQS queue (namespace AWS/SQS, dimension QueueName).

- work queue: ApproximateAgeOfOldestMessage (Maximum) as % of the visibility
  timeout, so the threshold scales with how long a consumer may hold a message;
- dead-letter queue: ApproximateNumberOfMessagesVisible (Maximum) >= 1, always
  critical, because every message there is a failed business event.
"""

from __future__ import annotations

from components.observability._factory import GTE, NOT_BREACHING, alarm_key, fmt, metric, per_severity
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import QueueRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/SQS"


def age_threshold_seconds(visibility_timeout_seconds: int, pct: float) -> float:
    return pct * visibility_timeout_seconds / 100


def oldest_message_alarms(queue: QueueRef, t: AlarmThresholds) -> list[AlarmSpec]:
    stat = metric(NAMESPACE, "ApproximateAgeOfOldestMessage", {"QueueName": queue.queue_name}, "Maximum", t.period_seconds)

    def build(severity: Severity, pct: float) -> AlarmSpec:
        seconds = age_threshold_seconds(queue.visibility_timeout_seconds, pct)
        return AlarmSpec(
            key=alarm_key("sqs", queue.key_part, "age", severity.value),
            severity=severity,
            summary=f"{queue.queue_name}: oldest message >= {fmt(seconds)} s",
            description=alarm_description(
                f"A message in {queue.queue_name} has waited {fmt(seconds)} s, {fmt(pct)}% of its "
                f"{queue.visibility_timeout_seconds}s visibility timeout: consumers are failing or too slow.",
                "the consumer function's errors and throttles (reserved concurrency too low?), then the "
                "event source mapping state.",
            ),
            comparison=GTE,
            threshold=seconds,
            evaluation_periods=t.evaluation_periods,
            datapoints_to_alarm=t.datapoints_to_alarm,
            treat_missing_data=NOT_BREACHING,
            metric=stat,
        )

    return per_severity(t.sqs_age_pct_of_visibility_timeout, build)


def dead_letter_depth_alarm(queue: QueueRef, t: AlarmThresholds) -> AlarmSpec:
    return AlarmSpec(
        key=alarm_key("sqs", queue.key_part, "dlq-depth", Severity.CRITICAL.value),
        severity=Severity.CRITICAL,
        summary=f"{queue.queue_name}: dead-letter queue holds messages",
        description=alarm_description(
            f"Messages reached the dead-letter queue {queue.queue_name} after exhausting their receive count; "
            "the business events they carry were not processed.",
            "one message body and its trace id, then the consumer's errors in Logs Insights; after the fix, "
            "redrive the DLQ to its source queue.",
        ),
        comparison=GTE,
        threshold=1.0,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data=NOT_BREACHING,
        metric=metric(NAMESPACE, "ApproximateNumberOfMessagesVisible", {"QueueName": queue.queue_name}, "Maximum", t.period_seconds),
    )


def queue_alarms(queue: QueueRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Depth for dead-letter queues, age for work queues."""
    if queue.is_dead_letter:
        return [dead_letter_depth_alarm(queue, t)]
    return oldest_message_alarms(queue, t)
