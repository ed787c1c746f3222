"""Dashboard widgets for an SQS queue."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, HorizontalAnnotation, Widget, metric_widget
from components.observability.refs import QueueRef
from components.observability.sqs.alarms import NAMESPACE


def queue_widgets(queue: QueueRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Sent/received/deleted, visible depth, and oldest-message age against the visibility timeout."""
    dims = {"QueueName": queue.queue_name}
    name = queue.queue_name

    q = ResourceMetrics(NAMESPACE, dims, period).query

    return [
        metric_widget(f"{name}: messages", [q("sent", "NumberOfMessagesSent", "Sum", "sent"),
                                            q("received", "NumberOfMessagesReceived", "Sum", "received"),
                                            q("deleted", "NumberOfMessagesDeleted", "Sum", "deleted")],
                      region, stat="Sum", period=period, width=8),
        metric_widget(f"{name}: depth", [q("visible", "ApproximateNumberOfMessagesVisible", "Maximum", "visible"),
                                         q("in_flight", "ApproximateNumberOfMessagesNotVisible", "Maximum", "in flight")],
                      region, stat="Maximum", period=period, width=8),
        metric_widget(f"{name}: oldest message age (s)", [q("age", "ApproximateAgeOfOldestMessage", "Maximum", "age")],
                      region, stat="Maximum", period=period, width=8,
                      annotations=[HorizontalAnnotation("visibility timeout", queue.visibility_timeout_seconds, "#ff7f0e")]),
    ]
