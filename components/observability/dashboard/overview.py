"""The per-stack overview dashboard: service health, a summary row per service, OpenSearch and log shipping.

A pure function of refs and alarm ARNs (deterministic from names), like the service dashboards, so
``dashboards/<stack>/`` can be generated offline and compared to what deploys. Kept apart from the
per-service dashboard so each can change without touching the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.observability._factory import metric
from components.observability.apigateway.alarms import NAMESPACE as API_NAMESPACE, api_dimensions
from components.observability.dashboard import links
from components.observability.dashboard.layout import dashboard_body, pack_sections, validate_dashboard_body
from components.observability.dashboard.service_dashboard import DEFAULT_START, alarm_status_widgets
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget, section_header, text_widget
from components.observability.dynamodb.alarms import throttle_queries
from components.observability.kinesis.widgets import stream_widgets
from components.observability.lambda_.alarms import NAMESPACE as LAMBDA_NAMESPACE
from components.observability.log_shipping.widgets import log_shipping_widgets
from components.observability.model import MetricQuery
from components.observability.opensearch.widgets import opensearch_widgets
from components.observability.refs import LogShippingRef, OpenSearchRef, ServiceView


def _header_widget(markdown: str) -> Widget:
    return text_widget(markdown, height=min(2 + markdown.count("\n"), 12))


def service_summary_widgets(view: ServiceView, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Key metrics of one service side by side: Lambda errors, API 5XX and p99, DynamoDB throttles."""
    region = view.region
    widgets: list[Widget] = [text_widget(f"### {view.service}", width=4, height=6)]
    if view.lambdas:
        rows = [
            MetricQuery(
                id=f"errors_{i}",
                metric=metric(LAMBDA_NAMESPACE, "Errors", {"FunctionName": fn.function_name}, "Sum", period),
                label=fn.key_part,
            )
            for i, fn in enumerate(view.lambdas)
        ]
        widgets.append(metric_widget(f"{view.service}: Lambda errors", rows, region, stat="Sum", period=period, width=5))
    if view.apis:
        five = [
            MetricQuery(id=f"server_errors_{i}", metric=metric(API_NAMESPACE, "5XXError", api_dimensions(a), "Sum", period), label=a.key_part)
            for i, a in enumerate(view.apis)
        ]
        p99 = [
            MetricQuery(id=f"latency_{i}", metric=metric(API_NAMESPACE, "Latency", api_dimensions(a), "p99", period), label=a.key_part)
            for i, a in enumerate(view.apis)
        ]
        widgets.append(metric_widget(f"{view.service}: API 5XX", five, region, stat="Sum", period=period, width=5))
        widgets.append(metric_widget(f"{view.service}: API p99 latency", p99, region, stat="p99", period=period, width=5))
    if view.tables:
        rows = [
            q
            for i, table in enumerate(view.tables)
            for q in throttle_queries(table, period, id_prefix=f"t{i}_", label=table.key_part)
        ]
        widgets.append(metric_widget(f"{view.service}: DynamoDB throttles", rows, region, stat="Sum", period=period, width=5))
    return widgets


def overview_dashboard_body(
    views: Sequence[ServiceView],
    opensearch: OpenSearchRef | None,
    log_shipping: LogShippingRef | None,
    alarm_arns: Sequence[str],
    *,
    region: str | None = None,
    stack: str | None = None,
) -> dict[str, Any]:
    """One overview per stack: health alarms, a summary row per service, OpenSearch and log shipping."""
    region = region or (views[0].region if views else None)
    stack = stack or (views[0].stack if views else None)
    if region is None or stack is None:
        raise ValueError("overview_dashboard_body needs region and stack when there are no service views")
    lines = [f"# Platform overview ({stack})", "", "Services: " + (", ".join(v.service for v in views) or "none")]
    if opensearch and opensearch.dashboards_url:
        lines.append(f"[OpenSearch Dashboards]({opensearch.dashboards_url})")
    lines.append(f"[X-Ray trace map]({links.xray_trace_map_url(region)})")
    sections: list[list[Widget]] = [[_header_widget("\n".join(lines))]]
    if alarm_arns:
        sections.append(alarm_status_widgets(alarm_arns, f"{stack}: service health"))
    for view in views:
        sections.append(service_summary_widgets(view))
    if opensearch is not None:
        sections.append([section_header(f"OpenSearch {opensearch.domain_name}"), *opensearch_widgets(opensearch, region)])
    if log_shipping is not None:
        shipping = [section_header("Log shipping"), *log_shipping_widgets(log_shipping, region)]
        if log_shipping.kinesis is not None:
            shipping += stream_widgets(log_shipping.kinesis, region)
        sections.append(shipping)
    body = dashboard_body(pack_sections(sections), start=DEFAULT_START, period_override="auto")
    validate_dashboard_body(body)
    return body
