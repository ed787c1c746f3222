"""Dashboard widgets for a REST API stage."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.apigateway.alarms import NAMESPACE, api_dimensions
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.refs import RestApiRef


def rest_api_widgets(api: RestApiRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Requests, 4XX/5XX counts, latency p50/p99 with IntegrationLatency p99 beside it."""
    m = ResourceMetrics(NAMESPACE, api_dimensions(api), period)
    name = f"{api.api_name}/{api.stage_name}"

    return [
        metric_widget(f"{name}: requests", [m.stat("Count", "Sum")], region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: 4XX / 5XX",
            [
                m.query("client_errors", "4XXError", "Sum", "4XX"),
                m.query("server_errors", "5XXError", "Sum", "5XX"),
            ],
            region,
            stat="Sum",
            period=period,
            width=8,
        ),
        metric_widget(
            f"{name}: latency",
            [
                m.query("latency_p50", "Latency", "p50", "Latency p50"),
                m.query("latency_p99", "Latency", "p99", "Latency p99"),
                m.query("integration_p99", "IntegrationLatency", "p99", "IntegrationLatency p99"),
            ],
            region,
            period=period,
            width=8,
            y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}},
        ),
    ]
