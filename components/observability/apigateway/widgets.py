"""Dashboard widgets for a REST API stage."""

from __future__ import annotations

from components.observability._factory import metric
from components.observability.apigateway.alarms import NAMESPACE, api_dimensions
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.model import MetricQuery
from components.observability.refs import RestApiRef


def rest_api_widgets(api: RestApiRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Requests, 4XX/5XX counts, latency p50/p99 with IntegrationLatency p99 beside it."""
    dims = api_dimensions(api)
    name = f"{api.api_name}/{api.stage_name}"

    def m(metric_name: str, stat: str):
        return metric(NAMESPACE, metric_name, dims, stat, period)

    return [
        metric_widget(f"{name}: requests", [m("Count", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: 4XX / 5XX",
            [
                MetricQuery(id="client_errors", metric=m("4XXError", "Sum"), label="4XX"),
                MetricQuery(id="server_errors", metric=m("5XXError", "Sum"), label="5XX"),
            ],
            region,
            stat="Sum",
            period=period,
            width=8,
        ),
        metric_widget(
            f"{name}: latency",
            [
                MetricQuery(id="latency_p50", metric=m("Latency", "p50"), label="Latency p50"),
                MetricQuery(id="latency_p99", metric=m("Latency", "p99"), label="Latency p99"),
                MetricQuery(id="integration_p99", metric=m("IntegrationLatency", "p99"), label="IntegrationLatency p99"),
            ],
            region,
            period=period,
            width=8,
            y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}},
        ),
    ]
