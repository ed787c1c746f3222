"""Dashboard widgets for an SNS topic."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.model import MetricQuery
from components.observability.refs import TopicRef
from components.observability.sns.alarms import NAMESPACE


def topic_widgets(topic: TopicRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Published vs delivered vs failed notifications."""
    metrics = ResourceMetrics(NAMESPACE, {"TopicName": topic.topic_name}, period)

    def q(qid: str, metric_name: str, label: str) -> MetricQuery:
        """All of these are counts: Sum."""
        return metrics.query(qid, metric_name, "Sum", label)

    return [
        metric_widget(f"{topic.topic_name}: notifications",
                      [q("published", "NumberOfMessagesPublished", "published"),
                       q("delivered", "NumberOfNotificationsDelivered", "delivered"),
                       q("failed", "NumberOfNotificationsFailed", "failed")],
                      region, stat="Sum", period=period, width=12),
    ]
