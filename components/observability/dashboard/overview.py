"""The per-stack overview dashboard: one health row per service, then OpenSearch and log shipping.

Each service row holds links (its dashboard, X-Ray, OpenSearch Dashboards), its health alarm and
its four golden signals, so an on-call engineer sees at a glance which service hurts and how. A
pure function of refs and alarm ARNs (deterministic from names), like the service dashboards, so
``dashboards/<stack>/`` can be generated offline and compared to what deploys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.observability.dashboard import links
from components.observability.dashboard.golden_signals import Signal, golden_signals
from components.observability.dashboard.layout import dashboard_body, pack_sections, validate_dashboard_body
from components.observability.dashboard.service_dashboard import DEFAULT_START, alarm_status_widgets
from components.observability.dashboard.widgets import (
    DEFAULT_PERIOD,
    GRID_WIDTH,
    Widget,
    alarm_status_widget,
    metric_widget,
    section_header,
    text_widget,
)
from components.observability.kinesis.widgets import stream_widgets
from components.observability.lambda_.widgets import lambda_widgets
from components.observability.log_shipping.widgets import log_shipping_widgets
from components.observability.model import MetricQuery
from components.observability.opensearch.widgets import opensearch_widgets
from components.observability.refs import LogShippingRef, OpenSearchRef, ServiceView
from components.observability.sqs.widgets import queue_widgets

# A row is links + health + the four signals, each a sixth of the grid.
ROW_CELL_WIDTH = GRID_WIDTH // (2 + len(Signal))
ROW_HEIGHT = 6


def _header_widget(markdown: str) -> Widget:
    return text_widget(markdown, height=min(2 + markdown.count("\n"), 12))


def service_links_markdown(view: ServiceView, opensearch_dashboards_url: str | None) -> str:
    """Where to go next from a row: the service's own dashboard, its traces and its logs."""
    region = view.region
    dashboard = (links.cloudwatch_dashboard_url(region, view.dashboard_name) if view.dashboard_name
                 else links.cloudwatch_dashboards_url(region))
    lines = [f"### {view.service}", "", f"- [Service dashboard]({dashboard})",
             f"- X-Ray [traces]({links.xray_traces_url(region)}), [map]({links.xray_trace_map_url(region)})"]
    if view.xray_group_name:
        lines[-1] += f" (group `{view.xray_group_name}`)"
    logs_url = view.opensearch_dashboards_url or opensearch_dashboards_url
    if logs_url:
        lines.append(f"- [OpenSearch Dashboards]({logs_url})")
    return "\n".join(lines)


def service_row(view: ServiceView, health_arn: str | None, opensearch_dashboards_url: str | None = None,
                period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Links, health alarm, then traffic, errors, latency and saturation; always the same six cells.

    A signal no resource of the service feeds gets a note instead of a graph, so rows stay aligned
    and the widget count per service is fixed (the overview pages are planned by counting widgets).
    """
    cell = {"width": ROW_CELL_WIDTH, "height": ROW_HEIGHT}
    widgets: list[Widget] = [text_widget(service_links_markdown(view, opensearch_dashboards_url), **cell)]
    if health_arn:
        widgets.append(alarm_status_widget([health_arn], f"{view.service}: health", **cell))
    else:
        widgets.append(text_widget(f"#### {view.service}: health\n\nNo health alarm.", **cell))
    for signal, metrics in golden_signals(view, period).items():
        title = f"{view.service}: {signal.value}"
        if not metrics:
            widgets.append(text_widget(f"#### {title}\n\nNo resource of this service has a {signal.value} metric.",
                                       **cell))
            continue
        rows = [MetricQuery(id=f"{signal.value}_{i}", metric=m.metric, label=m.label) for i, m in enumerate(metrics)]
        widgets.append(metric_widget(title, rows, view.region, period=period, **cell))
    return widgets


def overview_dashboard_body(
    views: Sequence[ServiceView],
    health_arns: Sequence[str | None],
    opensearch: OpenSearchRef | None,
    log_shipping: LogShippingRef | None,
    platform_arns: Sequence[str] = (),
    *,
    region: str | None = None,
    stack: str | None = None,
    page: int = 1,
    pages: int = 1,
) -> dict[str, Any]:
    """One overview page: header, every health alarm, a row per service; OpenSearch and shipping on page 1.

    ``health_arns[i]`` is the health alarm of ``views[i]`` (``None`` when it has none);
    ``platform_arns`` are stack-wide alarms, such as the logging health, shown with the services'.
    """
    if len(health_arns) != len(views):
        raise ValueError("one health alarm ARN (or None) per service view is needed")
    region = region or (views[0].region if views else None)
    stack = stack or (views[0].stack if views else None)
    if region is None or stack is None:
        raise ValueError("overview_dashboard_body needs region and stack when there are no service views")
    opensearch_url = opensearch.dashboards_url if opensearch else None
    title = f"# Platform overview ({stack})" + (f", page {page} of {pages}" if pages > 1 else "")
    lines = [title, "", "Services: " + (", ".join(v.service for v in views) or "none")]
    if opensearch_url:
        lines.append(f"[OpenSearch Dashboards]({opensearch_url})")
    lines.append(f"[X-Ray trace map]({links.xray_trace_map_url(region)})")
    sections: list[list[Widget]] = [[_header_widget("\n".join(lines))]]
    all_alarms = [*platform_arns, *(arn for arn in health_arns if arn)]
    if all_alarms:
        sections.append(alarm_status_widgets(all_alarms, f"{stack}: service health"))
    for view, health_arn in zip(views, health_arns):
        sections.append(service_row(view, health_arn, opensearch_url))
    if page == 1 and opensearch is not None:
        sections.append([section_header(f"OpenSearch {opensearch.domain_name}"), *opensearch_widgets(opensearch, region)])
    if page == 1 and log_shipping is not None:
        shipping = [section_header("Log shipping"), *log_shipping_widgets(log_shipping, region)]
        if log_shipping.kinesis is not None:
            shipping += stream_widgets(log_shipping.kinesis, region)
        # The shipper, its bootstrap and its failure queue belong to no service, so they are shown here.
        shipping += lambda_widgets(log_shipping.function, region)
        if log_shipping.failure_queue is not None:
            shipping += queue_widgets(log_shipping.failure_queue, region)
        if log_shipping.bootstrap is not None:
            shipping += lambda_widgets(log_shipping.bootstrap, region)
        sections.append(shipping)
    body = dashboard_body(pack_sections(sections), start=DEFAULT_START, period_override="auto")
    validate_dashboard_body(body, name=f"overview of {stack}" + (f" (page {page})" if pages > 1 else ""))
    return body
