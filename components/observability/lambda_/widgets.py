"""Dashboard widgets for a Lambda function."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, HorizontalAnnotation, Widget, metric_widget
from components.observability.lambda_.alarms import NAMESPACE
from components.observability.model import MetricQuery
from components.observability.refs import LambdaRef


def lambda_widgets(fn: LambdaRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Invocations, errors (with rate), throttles, duration p50/p99 against the timeout, concurrency."""
    m = ResourceMetrics(NAMESPACE, {"FunctionName": fn.function_name}, period)
    name = fn.function_name

    widgets = [
        metric_widget(f"{name}: invocations", [m.stat("Invocations", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: errors",
            [
                m.query("errors", "Errors", "Sum", "Errors"),
                m.query("invocations", "Invocations", "Sum"),
                MetricQuery(id="error_rate", expression="100 * errors / invocations", label="Error rate (%)"),
            ],
            region,
            stat="Sum",
            period=period,
            width=8,
        ),
        metric_widget(f"{name}: throttles", [m.stat("Throttles", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: duration",
            [
                m.query("p50", "Duration", "p50", "p50"),
                m.query("p99", "Duration", "p99", "p99"),
            ],
            region,
            period=period,
            width=8,
            y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}},
            annotations=[HorizontalAnnotation("timeout", fn.timeout_seconds * 1000, "#d62728")],
        ),
        metric_widget(
            f"{name}: concurrency",
            [m.stat("ConcurrentExecutions", "Maximum")],
            region,
            stat="Maximum",
            period=period,
            width=8,
            annotations=(
                [HorizontalAnnotation("reserved concurrency", fn.reserved_concurrency, "#ff7f0e")]
                if fn.reserved_concurrency
                else None
            ),
        ),
    ]
    if fn.reads_stream:
        widgets.append(
            metric_widget(f"{name}: iterator age", [m.stat("IteratorAge", "Maximum")], region, stat="Maximum", period=period, width=8)
        )
    return widgets
