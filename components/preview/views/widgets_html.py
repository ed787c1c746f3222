"""One HTML fragment per widget kind the builders produce: metric graph, text, alarm status, Logs Insights.

Every title is drawn as text (never only inside the SVG), so it can be found and read. A widget of
a kind without a renderer, or whose metrics cannot be read, raises ``WidgetRenderError`` naming the
dashboard and the widget: a view is never drawn from a guess.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from markdown_it import MarkdownIt

from components.observability.dashboard import links
from components.observability.dashboard.layout import widget_label
from components.preview.views.context import ViewContext, offline_window
from components.preview.views.metric_rows import GraphLine, UnknownMetricShape, graph_lines
from components.preview.views.svg_chart import (
    PALETTE,
    SEVERITY_COLORS,
    ReferenceLine,
    Series,
    TimeWindow,
    chart_svg,
)
from components.preview.views.thresholds import Threshold, condition, thresholds_for
from components.reports.inventory import Alarm

COLUMN_PX = 60
ROW_PX = 36
CARD_MARGIN_PX = 3
TITLE_PX = 22
OFFLINE_NOTE = "no data offline: run the live view for real lines"

# html=False: raw HTML in markdown is escaped, so a text widget can never inject markup or script.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


class WidgetRenderError(ValueError):
    """A widget the views cannot draw; the message names the dashboard and the widget."""

    def __init__(self, dashboard: str, index: int, widget: Any, reason: str) -> None:
        self.dashboard, self.index, self.reason = dashboard, index, reason
        super().__init__(f"dashboard {dashboard}: {widget_label(index, widget)}: {reason}")


# A one-line heading of plain words ("## Lambda platform-dev-orders-api", every section header) renders
# to exactly what markdown-it would write; skipping the parser for it halves the views' cost at 100
# services. Anything with markup, entities or quotes takes the parser.
_PLAIN_HEADING = re.compile(r"^(#{1,6}) +([^*_`\[\]<>&\\!\"'#|~\n]*[^*_`\[\]<>&\\!\"'#|~\s])$")


def markdown_html(text: str) -> str:
    heading = _PLAIN_HEADING.match(text)
    if heading:
        level = len(heading.group(1))
        return f"<h{level}>{heading.group(2)}</h{level}>\n"
    return _MARKDOWN.render(text)


def _title(props: Mapping[str, Any]) -> str:
    return f'<h3 class="title">{escape(str(props.get("title") or ""))}</h3>'


def _legend_entry(color: str, label: str, detail: str, extra_class: str = "") -> str:
    return (f'<li class="{extra_class}" title="{escape(label)}: {escape(detail)}"><span class="swatch" '
            f'style="background:{color}"></span><span class="label">{escape(label)}</span> '
            f'<span class="detail">{escape(detail)}</span></li>')


def _y_axis(props: Mapping[str, Any]) -> tuple[float | None, float | None, str | None]:
    left = (props.get("yAxis") or {}).get("left") or {}
    def num(value: Any) -> float | None:
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    label = left.get("label") if isinstance(left.get("label"), str) else None
    return num(left.get("min")), num(left.get("max")), label


def _annotations(props: Mapping[str, Any]) -> list[ReferenceLine]:
    out = []
    for annotation in (props.get("annotations") or {}).get("horizontal") or []:
        if isinstance(annotation, Mapping) and isinstance(annotation.get("value"), (int, float)):
            out.append(ReferenceLine(float(annotation["value"]), str(annotation.get("label") or ""),
                                     str(annotation.get("color") or "#7f7f7f"), dashed=False))
    return out


def _series(lines: list[GraphLine], data: Mapping[str, Any] | None) -> list[Series]:
    colors = iter(PALETTE * (1 + len(lines) // len(PALETTE)))
    out = []
    for line in lines:
        color = line.color or next(colors)
        if line.visible:
            out.append(Series(line.label, color, tuple(data.get(line.id, ())) if data else ()))
    return out


def metric_widget_html(name: str, index: int, widget: Mapping[str, Any], ctx: ViewContext,
                       window: TimeWindow) -> str:
    props = widget["properties"]
    try:
        lines = graph_lines(props)
    except UnknownMetricShape as problem:
        raise WidgetRenderError(name, index, widget, f"unknown metric shape: {problem}") from None
    live = ctx.live
    data = live.series.get((name, index)) if live else None
    error = live.errors.get((name, index)) if live else None
    series = _series(lines, data)
    thresholds = thresholds_for(lines, ctx.alarms_reading(line.metric for line in lines if line.metric))
    references = [*_annotations(props), *(ReferenceLine(t.value, t.label, SEVERITY_COLORS.get(t.severity, "#d62728"))
                                          for t in thresholds)]
    y_min, y_max, y_label = _y_axis(props)
    width = widget["width"] * COLUMN_PX - 2 * CARD_MARGIN_PX - 12
    height = max(int((widget["height"] * ROW_PX - TITLE_PX - 2 * CARD_MARGIN_PX) * 0.62), 60)
    note = f"fetch failed: {error}" if error else ("no data points in this window" if live else OFFLINE_NOTE)
    svg = chart_svg(width, height, live.window if live else window, series, references, y_min=y_min, y_max=y_max,
                    y_label=y_label, empty_note=note)
    legend = []
    colors = {s.label: s.color for s in series}
    for line in lines:
        if line.visible:
            points = len(data.get(line.id, ())) if data else None
            detail = line.describe() + (f" · {points} points" if points is not None else "")
            legend.append(_legend_entry(colors.get(line.label, "#999"), line.label, detail))
        else:
            legend.append(_legend_entry("#ccc", line.label, line.describe() + " · hidden, feeds an expression",
                                        "hidden"))
    for ref in references[: len(references) - len(thresholds)]:
        legend.append(_legend_entry(ref.color, ref.label, f"annotation at {ref.value:g}", "annotation"))
    legend += [_threshold_entry(t) for t in thresholds]
    view = props.get("view", "timeSeries")
    view_note = "" if view == "timeSeries" else f'<p class="note">CloudWatch view "{escape(str(view))}", drawn as lines</p>'
    return (f'{_title(props)}<div class="body">{svg}{view_note}'
            f'<ul class="legend">{"".join(legend)}</ul></div>')


def _threshold_entry(t: Threshold) -> str:
    color = SEVERITY_COLORS.get(t.severity, "#d62728")
    return _legend_entry(color, f"alarm {t.label}", t.alarm, "threshold")


def _alarm_summary(alarm: Any) -> str:
    if isinstance(alarm, Alarm):
        return f"{alarm.severity} · {condition(alarm)}"
    if alarm is not None:
        children = len(re.findall(r"ALARM\(", alarm.rule))
        return f"composite · any of {children} alarms"
    return "not in this stack's inventory"


def alarm_widget_html(name: str, index: int, widget: Mapping[str, Any], ctx: ViewContext,
                      window: TimeWindow) -> str:
    props = widget["properties"]
    arns = props.get("alarms")
    if not isinstance(arns, list) or not arns:
        raise WidgetRenderError(name, index, widget, "alarm widget has no alarm ARNs")
    rows = []
    for arn in arns:
        alarm_name = str(arn).split(":alarm:", 1)[-1]
        state = ctx.live.alarm_states.get(alarm_name, "UNKNOWN") if ctx.live else "NOT DEPLOYED"
        css = state.lower().replace(" ", "-").replace("_", "-")
        rows.append(f'<li><span class="state state-{css}">{escape(state)}</span> '
                    f'<span class="alarm-name">{escape(alarm_name)}</span> '
                    f'<span class="detail">{escape(_alarm_summary(ctx.alarm_named(alarm_name)))}</span></li>')
    return f'{_title(props)}<div class="body"><ul class="alarms">{"".join(rows)}</ul></div>'


_SOURCE = re.compile(r"^\s*SOURCE\s+'([^']+)'\s*\|\s*")


def split_sources(query: str) -> tuple[list[str], str]:
    """``SOURCE 'a' | SOURCE 'b' | fields ...`` -> (["a", "b"], "fields ...")."""
    groups = []
    rest = query
    while (match := _SOURCE.match(rest)) is not None:
        groups.append(match.group(1))
        rest = rest[match.end():]
    return groups, rest.strip()


def log_widget_html(name: str, index: int, widget: Mapping[str, Any], ctx: ViewContext, window: TimeWindow) -> str:
    props = widget["properties"]
    query = props.get("query")
    if not isinstance(query, str):
        raise WidgetRenderError(name, index, widget, "log widget has no query")
    groups, body = split_sources(query)
    if not groups:
        raise WidgetRenderError(name, index, widget, "log widget query names no log group with SOURCE")
    url = links.logs_insights_url(str(props.get("region") or ctx.region), groups, body)
    items = "".join(f"<li><code>{escape(g)}</code></li>" for g in groups)
    return (f'{_title(props)}<div class="body"><p class="note">Logs Insights query '
            f'({escape(str(props.get("view", "table")))}), run by CloudWatch over:</p><ul class="log-groups">{items}</ul>'
            f'<pre class="query">{escape(body)}</pre><p><a href="{escape(url)}">Open in Logs Insights</a></p></div>')


def text_widget_html(name: str, index: int, widget: Mapping[str, Any], ctx: ViewContext, window: TimeWindow) -> str:
    markdown = widget["properties"].get("markdown")
    if not isinstance(markdown, str):
        raise WidgetRenderError(name, index, widget, "text widget has no markdown")
    return f'<div class="body markdown">{markdown_html(markdown)}</div>'


Renderer = Callable[[str, int, Mapping[str, Any], ViewContext, TimeWindow], str]
RENDERERS: dict[str, Renderer] = {
    "metric": metric_widget_html,
    "text": text_widget_html,
    "alarm": alarm_widget_html,
    "log": log_widget_html,
}


def widget_html(name: str, index: int, widget: Any, ctx: ViewContext, body: Mapping[str, Any]) -> str:
    """The widget placed on the grid at its x, y, width and height."""
    if not isinstance(widget, Mapping) or not isinstance(widget.get("properties"), Mapping):
        raise WidgetRenderError(name, index, widget, "widget must be an object with properties")
    kind = widget.get("type")
    renderer = RENDERERS.get(kind) if isinstance(kind, str) else None
    if renderer is None:
        raise WidgetRenderError(name, index, widget, f"widget type {kind!r} has no view (known: {sorted(RENDERERS)})")
    x, y, w, h = (widget.get(k) for k in ("x", "y", "width", "height"))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y, w, h)):
        raise WidgetRenderError(name, index, widget, "x, y, width and height must be integers")
    inner = renderer(name, index, widget, ctx, offline_window(body))
    return (f'<section class="widget widget-{kind}" id="w{index}" data-index="{index}" data-type="{kind}" '
            f'data-x="{x}" data-y="{y}" data-width="{w}" data-height="{h}" '
            f'style="grid-column:{x + 1} / span {w};grid-row:{y + 1} / span {h}">'
            f'<div class="card">{inner}</div></section>')
