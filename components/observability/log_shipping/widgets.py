"""Dashboard widgets for the log shipper's data path."""

from __future__ import annotations

from components.observability.dashboard.widgets import DEFAULT_PERIOD, HorizontalAnnotation, Widget, metric_widget
from components.observability.log_shipping.alarms import dead_letter_objects_metric, shipper_metric
from components.observability.model import MetricQuery, SeverityThresholds
from components.observability.refs import LogShippingRef


def log_shipping_widgets(
    ref: LogShippingRef, region: str, period: int = DEFAULT_PERIOD, lag_thresholds: SeverityThresholds | None = None
) -> list[Widget]:
    """Events received/shipped/retried/dead-lettered, shipping lag, dead-letter bucket objects."""

    def q(qid: str, name: str, stat: str) -> MetricQuery:
        return MetricQuery(id=qid, metric=shipper_metric(ref, name, stat, period), label=name)

    lag_lines = []
    if lag_thresholds is not None:
        lag_lines = [
            HorizontalAnnotation(f"{severity.value}", value, "#ff7f0e" if severity.value == "warning" else "#d62728")
            for severity, value in lag_thresholds.enabled()
        ]
    return [
        metric_widget("log shipping: events",
                      [q("received", "EventsReceived", "Sum"), q("shipped", "EventsShipped", "Sum"),
                       q("retried", "EventsRetried", "Sum")],
                      region, stat="Sum", period=period, width=8),
        metric_widget("log shipping: dead-lettered", [q("dead_lettered", "EventsDeadLettered", "Sum")], region,
                      stat="Sum", period=period, width=8),
        metric_widget("log shipping: lag (max, ms)", [q("lag", "ShippingLagMs", "Maximum")], region, stat="Maximum",
                      period=period, width=8, annotations=lag_lines or None),
        metric_widget(f"s3://{ref.dead_letter_bucket}: objects awaiting replay", [dead_letter_objects_metric(ref)],
                      region, stat="Average", period=86_400, width=8),
    ]
