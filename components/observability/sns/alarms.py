"""Default alarms for an SNS topic (namespace AWS/SNS, dimension TopicName):
NumberOfNotificationsFailed (Sum) against ``sns_failed_notifications``."""

from __future__ import annotations

from components.observability._factory import fmt, metric, profile_window, severity_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import TopicRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/SNS"


def topic_alarms(topic: TopicRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.sns_failed_notifications,
        ("sns", topic.key_part, "failed"),
        window=profile_window(t),
        summary=lambda value: f"{topic.topic_name}: >= {fmt(value)} failed notifications per {t.period_seconds}s",
        meaning=lambda _: f"SNS could not deliver notifications from {topic.topic_name} to a subscriber after retries.",
        check_first="the subscription dead-letter queues on the topic's dashboard (one message shows the failed "
        "delivery), then the subscriber's access policy (SQS queue policy, Lambda permission, KMS key policy).",
        metric=metric(NAMESPACE, "NumberOfNotificationsFailed", {"TopicName": topic.topic_name}, "Sum", t.period_seconds),
    )
