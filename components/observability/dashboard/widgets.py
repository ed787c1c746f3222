"""CloudWatch dashboard widget builders (Dashboard Body Structure and Syntax).

Widgets are plain dicts, the shape CloudWatch expects, so a body can be
JSON-dumped as is. Builders leave ``x``/``y`` out; ``layout`` places them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from components.observability.model import MetricQuery, MetricStat

Widget = dict[str, Any]
MetricLike = Union[MetricStat, MetricQuery]

GRID_WIDTH = 24
DEFAULT_PERIOD = 300
MAX_ALARMS_PER_ALARM_WIDGET = 100


@dataclass(frozen=True)
class HorizontalAnnotation:
    """A reference line such as the function timeout or the reserved concurrency."""

    label: str
    value: float
    color: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "value": self.value}
        if self.color:
            out["color"] = self.color
        return out


def metric_row(
    item: MetricLike, *, widget_stat: str | None, widget_period: int, hidden_ids: frozenset[str] = frozenset()
) -> list[Any]:
    """One entry of a metric widget's ``metrics`` array.

    A plain metric is ``[namespace, name, dim, value, ..., {options}]``; an
    expression is ``[{"expression": ..., "id": ...}]``. Stat and period are only
    written when they differ from the widget's, keeping bodies small.
    """
    if isinstance(item, MetricQuery) and item.expression is not None:
        options: dict[str, Any] = {"expression": item.expression, "id": item.id}
        if item.label:
            options["label"] = item.label
        return [options]
    stat = item.metric if isinstance(item, MetricQuery) else item
    if stat is None:
        raise ValueError(f"metric query {item.id!r} has neither expression nor metric")
    row: list[Any] = [stat.namespace, stat.metric_name]
    for name, value in stat.dimensions:
        row += [name, value]
    opts: dict[str, Any] = {}
    if stat.stat != widget_stat:
        opts["stat"] = stat.stat
    if stat.period != widget_period:
        opts["period"] = stat.period
    if isinstance(item, MetricQuery):
        opts["id"] = item.id
        if item.label:
            opts["label"] = item.label
        if item.id in hidden_ids:
            opts["visible"] = False
    if opts:
        row.append(opts)
    return row


def _ids_used_by_expressions(metrics: Sequence[MetricLike]) -> frozenset[str]:
    expressions = [m.expression for m in metrics if isinstance(m, MetricQuery) and m.expression]
    ids = [m.id for m in metrics if isinstance(m, MetricQuery) and m.metric is not None and not m.label]
    return frozenset(i for i in ids if any(re.search(rf"\b{re.escape(i)}\b", e) for e in expressions))


def metric_widget(
    title: str,
    metrics: Sequence[MetricLike],
    region: str,
    stat: str | None = None,
    period: int = DEFAULT_PERIOD,
    width: int = 12,
    height: int = 6,
    y_axis: Mapping[str, Any] | None = None,
    annotations: Sequence[HorizontalAnnotation] | None = None,
    *,
    view: str = "timeSeries",
    stacked: bool = False,
) -> Widget:
    """A graph. Unlabelled metrics that only feed an expression in the same widget are hidden."""
    if not metrics:
        raise ValueError(f"metric widget {title!r} needs at least one metric")
    hidden = _ids_used_by_expressions(metrics)
    properties: dict[str, Any] = {
        "title": title,
        "region": region,
        "view": view,
        "stacked": stacked,
        "period": period,
        "metrics": [metric_row(m, widget_stat=stat, widget_period=period, hidden_ids=hidden) for m in metrics],
    }
    if stat is not None:
        properties["stat"] = stat
    if y_axis:
        properties["yAxis"] = dict(y_axis)
    if annotations:
        properties["annotations"] = {"horizontal": [a.to_json() for a in annotations]}
    return {"type": "metric", "width": width, "height": height, "properties": properties}


def text_widget(markdown: str, width: int = GRID_WIDTH, height: int = 2) -> Widget:
    return {"type": "text", "width": width, "height": height, "properties": {"markdown": markdown}}


def alarm_status_widget(alarm_arns: Sequence[str], title: str, width: int = GRID_WIDTH, height: int | None = None) -> Widget:
    """Alarm status grid; height grows with the number of alarms (about 4 per row at full width)."""
    arns = list(alarm_arns)
    if not arns:
        raise ValueError(f"alarm status widget {title!r} needs at least one alarm")
    if len(arns) > MAX_ALARMS_PER_ALARM_WIDGET:
        raise ValueError(f"alarm status widget {title!r} has {len(arns)} alarms; at most {MAX_ALARMS_PER_ALARM_WIDGET}")
    if height is None:
        height = min(2 + math.ceil(len(arns) / 4), 20)
    return {
        "type": "alarm",
        "width": width,
        "height": height,
        "properties": {"title": title, "alarms": arns, "sortBy": "stateUpdatedTimestamp"},
    }


def log_insights_query(log_group_names: Sequence[str], query: str) -> str:
    """Log widgets name their log groups inline: ``SOURCE 'a' | SOURCE 'b' | <query>``."""
    if not log_group_names:
        raise ValueError("a Logs Insights widget needs at least one log group")
    sources = " | ".join(f"SOURCE '{name}'" for name in log_group_names)
    return f"{sources} | {query}"


def log_insights_widget(
    log_group_names: Sequence[str],
    query: str,
    region: str,
    title: str,
    width: int = GRID_WIDTH,
    height: int = 6,
    view: str = "table",
) -> Widget:
    return {
        "type": "log",
        "width": width,
        "height": height,
        "properties": {
            "title": title,
            "region": region,
            "query": log_insights_query(log_group_names, query),
            "view": view,
        },
    }


def section_header(title: str) -> Widget:
    """A one-row markdown header that starts a dashboard section."""
    return text_widget(f"## {title}", width=GRID_WIDTH, height=1)
