"""Dashboard widgets for a Lambda function."""

from __future__ import annotations

from components.observability._factory import metric
from components.observability.dashboard.widgets import DEFAULT_PERIOD, HorizontalAnnotation, Widget, metric_widget
from components.observability.lambda_.alarms import NAMESPACE
from components.observability.model import MetricQuery
from components.observability.refs import LambdaRef


def lambda_widgets(fn: LambdaRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Invocations, errors (with rate), throttles, duration p50/p99 against the timeout, concurrency."""
    dims = {"FunctionName": fn.function_name}
    name = fn.function_name

    def m(metric_name: str, stat: str):
        return metric(NAMESPACE, metric_name, dims, stat, period)

    widgets = [
        metric_widget(f"{name}: invocations", [m("Invocations", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: errors",
            [
                MetricQuery(id="errors", metric=m("Errors", "Sum"), label="Errors"),
                MetricQuery(id="invocations", metric=m("Invocations", "Sum")),
                MetricQuery(id="error_rate", expression="100 * errors / invocations", label="Error rate (%)"),
            ],
            region,
            stat="Sum",
            period=period,
            width=8,
        ),
        metric_widget(f"{name}: throttles", [m("Throttles", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: duration",
            [
                MetricQuery(id="p50", metric=m("Duration", "p50"), label="p50"),
                MetricQuery(id="p99", metric=m("Duration", "p99"), label="p99"),
            ],
            region,
            period=period,
            width=8,
            y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}},
            annotations=[HorizontalAnnotation("timeout", fn.timeout_seconds * 1000, "#d62728")],
        ),
        metric_widget(
            f"{name}: concurrency",
            [m("ConcurrentExecutions", "Maximum")],
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
            metric_widget(f"{name}: iterator age", [m("IteratorAge", "Maximum")], region, stat="Maximum", period=period, width=8)
        )
    return widgets
