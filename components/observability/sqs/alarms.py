"""Default alarms for an SQS queue (namespace AWS/SQS, dimension QueueName).

- work queue: ApproximateAgeOfOldestMessage (Maximum) as % of the visibility
  timeout, so the threshold scales with how long a consumer may hold a message;
- dead-letter queue: ApproximateNumberOfMessagesVisible (Maximum) >= 1, always
  critical, because every message there is a failed business event.
"""

from __future__ import annotations

from components.observability._factory import ONE_DATAPOINT, alarm_spec, fmt, metric, profile_window, severity_alarms
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import QueueRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/SQS"


def age_threshold_seconds(visibility_timeout_seconds: int, pct: float) -> float:
    return pct * visibility_timeout_seconds / 100


def oldest_message_alarms(queue: QueueRef, t: AlarmThresholds) -> list[AlarmSpec]:
    def seconds(pct: float) -> float:
        return age_threshold_seconds(queue.visibility_timeout_seconds, pct)

    return severity_alarms(
        t.sqs_age_pct_of_visibility_timeout,
        ("sqs", queue.key_part, "age"),
        window=profile_window(t),
        summary=lambda pct: f"{queue.queue_name}: oldest message >= {fmt(seconds(pct))} s",
        meaning=lambda pct: (
            f"A message in {queue.queue_name} has waited {fmt(seconds(pct))} s, {fmt(pct)}% of its "
            f"{queue.visibility_timeout_seconds}s visibility timeout: consumers are failing or too slow."
        ),
        check_first="the consumer function's errors and throttles (reserved concurrency too low?), then the "
        "event source mapping state.",
        threshold=seconds,
        metric=metric(NAMESPACE, "ApproximateAgeOfOldestMessage", {"QueueName": queue.queue_name}, "Maximum", t.period_seconds),
    )


def dead_letter_depth_alarm(queue: QueueRef, t: AlarmThresholds) -> AlarmSpec:
    return alarm_spec(
        ("sqs", queue.key_part, "dlq-depth"),
        Severity.CRITICAL,
        summary=f"{queue.queue_name}: dead-letter queue holds messages",
        meaning=f"Messages reached the dead-letter queue {queue.queue_name} after exhausting their receive count; "
        "the business events they carry were not processed.",
        check_first="one message body and its trace id, then the consumer's errors in Logs Insights; after the fix, "
        "redrive the DLQ to its source queue.",
        threshold=1.0,
        window=ONE_DATAPOINT,
        metric=metric(NAMESPACE, "ApproximateNumberOfMessagesVisible", {"QueueName": queue.queue_name}, "Maximum", t.period_seconds),
    )


def queue_alarms(queue: QueueRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Depth for dead-letter queues, age for work queues."""
    if queue.is_dead_letter:
        return [dead_letter_depth_alarm(queue, t)]
    return oldest_message_alarms(queue, t)
