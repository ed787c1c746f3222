"""Splits a stack overview into pages that each stay within CloudWatch's 500-widget limit.

A stack with a hundred services does not fit one dashboard; rather than drop services, the overview
continues on numbered pages. The first page keeps the OpenSearch and log-shipping sections.
Pages are planned by counting widgets, then each page is built (and validated) once.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from components.observability.dashboard.overview import overview_dashboard_body, service_row
from components.observability.dashboard.widgets import MAX_ALARMS_PER_ALARM_WIDGET
from components.observability.refs import LogShippingRef, OpenSearchRef, ServiceView

MAX_WIDGETS = 500


def plan_pages(service_widgets: Sequence[int], base_widgets: Sequence[int], platform_alarms: int) -> list[range]:
    """Ranges of service indexes per page; `base_widgets[p]` is page p's fixed widget count
    (the last value repeats for later pages). Alarm status widgets hold 100 ARNs each."""
    pages: list[range] = []
    start = 0
    while start < len(service_widgets) or not pages:
        base = base_widgets[min(len(pages), len(base_widgets) - 1)]
        own_alarms = platform_alarms if not pages else 0
        end = start
        while end < len(service_widgets):
            count = base + sum(service_widgets[start:end + 1]) + \
                math.ceil((own_alarms + end + 1 - start) / MAX_ALARMS_PER_ALARM_WIDGET)
            if count > MAX_WIDGETS:
                break
            end += 1
        if end == start and start < len(service_widgets):
            raise ValueError(f"service #{start} alone needs more than {MAX_WIDGETS} overview widgets")
        pages.append(range(start, end))
        start = end
    return pages


def overview_pages(views: Sequence[ServiceView], health_arns: Sequence[str], opensearch: OpenSearchRef | None,
                   log_shipping: LogShippingRef | None, platform_arns: Sequence[str], *, region: str,
                   stack: str) -> list[dict[str, Any]]:
    """`health_arns[i]` belongs to `views[i]`; `platform_arns` (e.g. logging health) go on page one."""
    if len(health_arns) != len(views):
        raise ValueError("one health alarm ARN per service view is needed")

    def build(page: int, indexes: range, pages: int) -> dict[str, Any]:
        first = page == 0
        return overview_dashboard_body(
            [views[i] for i in indexes], [health_arns[i] for i in indexes], opensearch, log_shipping,
            platform_arns if first else [], region=region, stack=stack, page=page + 1, pages=pages)

    def fixed(first: bool) -> int:
        empty = overview_dashboard_body([], [], opensearch, log_shipping, [], region=region, stack=stack,
                                        page=1 if first else 2, pages=2)
        return len(empty["widgets"])

    plan = plan_pages([len(service_row(v, None)) for v in views], [fixed(True), fixed(False)], len(platform_arns))
    return [build(page, indexes, len(plan)) for page, indexes in enumerate(plan)]
