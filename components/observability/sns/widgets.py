"""Dashboard widgets for an SNS topic."""

from __future__ import annotations

from components.observability._factory import metric
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.model import MetricQuery
from components.observability.refs import TopicRef
from components.observability.sns.alarms import NAMESPACE


def topic_widgets(topic: TopicRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Published vs delivered vs failed notifications."""
    dims = {"TopicName": topic.topic_name}

    def q(qid: str, metric_name: str, label: str) -> MetricQuery:
        return MetricQuery(id=qid, metric=metric(NAMESPACE, metric_name, dims, "Sum", period), label=label)

    return [
        metric_widget(f"{topic.topic_name}: notifications",
                      [q("published", "NumberOfMessagesPublished", "published"),
                       q("delivered", "NumberOfNotificationsDelivered", "delivered"),
                       q("failed", "NumberOfNotificationsFailed", "failed")],
                      region, stat="Sum", period=period, width=12),
    ]
