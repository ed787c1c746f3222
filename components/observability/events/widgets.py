"""Dashboard widgets for an EventBridge rule."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.events.alarms import NAMESPACE, rule_dimensions
from components.observability.model import MetricQuery
from components.observability.refs import RuleRef


def rule_widgets(rule: RuleRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Matched events, target invocations and failures."""
    metrics = ResourceMetrics(NAMESPACE, rule_dimensions(rule), period)

    def q(qid: str, metric_name: str, label: str) -> MetricQuery:
        """All of these are counts: Sum."""
        return metrics.query(qid, metric_name, "Sum", label)

    return [
        metric_widget(f"{rule.rule_name}: invocations",
                      [q("triggered", "TriggeredRules", "matched"), q("invocations", "Invocations", "invocations"),
                       q("failed", "FailedInvocations", "failed")],
                      region, stat="Sum", period=period, width=12),
    ]
