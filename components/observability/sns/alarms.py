"""Default alarms for an SNS topic (namespace AWS/SNS, dimension TopicName):
NumberOfNotificationsFailed (Sum) against ``sns_failed_notifications``."""

from __future__ import annotations

from components.observability._factory import GTE, NOT_BREACHING, alarm_key, fmt, metric, per_severity
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import TopicRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/SNS"


def topic_alarms(topic: TopicRef, t: AlarmThresholds) -> list[AlarmSpec]:
    stat = metric(NAMESPACE, "NumberOfNotificationsFailed", {"TopicName": topic.topic_name}, "Sum", t.period_seconds)

    def build(severity: Severity, value: float) -> AlarmSpec:
        return AlarmSpec(
            key=alarm_key("sns", topic.key_part, "failed", severity.value),
            severity=severity,
            summary=f"{topic.topic_name}: >= {fmt(value)} failed notifications per {t.period_seconds}s",
            description=alarm_description(
                f"SNS could not deliver notifications from {topic.topic_name} to a subscriber after retries.",
                "subscription delivery status logs and the subscriber's access policy (SQS queue policy, "
                "Lambda permission, KMS key policy for encrypted queues).",
            ),
            comparison=GTE,
            threshold=value,
            evaluation_periods=t.evaluation_periods,
            datapoints_to_alarm=t.datapoints_to_alarm,
            treat_missing_data=NOT_BREACHING,
            metric=stat,
        )

    return per_severity(t.sns_failed_notifications, build)
