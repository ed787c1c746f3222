"""Whole pages: a dashboard on CloudWatch's 24-column grid, and the index of a stack's views.

The grid has fixed cells (60 x 36 px) so a widget's box is exactly its x, y, width and height
times the cell, which the browser test measures. Styles are inline; there is no script, no font
and no image to fetch, so a page works from ``file://`` with no network.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from components.observability.dashboard.layout import GRID_WIDTH, metric_count
from components.preview.views.context import ViewContext
from components.preview.views.widgets_html import CARD_MARGIN_PX, COLUMN_PX, ROW_PX, widget_html

STYLE = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:13px/1.35 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#16191f;background:#f2f3f3}}
header{{padding:10px 16px;background:#232f3e;color:#fff}}
header h1{{margin:0;font-size:18px}} header p{{margin:4px 0 0;color:#d5dbdb}} header a{{color:#9ecbff}}
.grid{{display:grid;grid-template-columns:repeat({GRID_WIDTH},{COLUMN_PX}px);grid-auto-rows:{ROW_PX}px;width:{GRID_WIDTH * COLUMN_PX}px;margin:8px 16px;position:relative}}
.widget{{min-width:0;min-height:0;overflow:hidden}}
.card{{position:absolute;inset:{CARD_MARGIN_PX}px;background:#fff;border:1px solid #d5dbdb;border-radius:3px;padding:3px 6px;overflow-x:hidden;overflow-y:auto}}
.widget{{position:relative}}
.title{{margin:0 0 2px;font-size:13px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}}
.legend,.alarms,.log-groups{{list-style:none;margin:2px 0 0;padding:0;font-size:11px}}
.legend li,.alarms li{{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}}
.swatch{{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}}
.detail,.note{{color:#5f6b7a}} .note{{margin:2px 0;font-size:11px}}
.hidden .label{{color:#8d99a8}}
.state{{display:inline-block;min-width:96px;padding:1px 4px;border-radius:2px;font-size:10px;font-weight:600;text-align:center;color:#fff;background:#8d99a8}}
.state-ok{{background:#1d8102}} .state-alarm{{background:#d13212}} .state-insufficient-data{{background:#8d99a8}}
.alarm-name{{font-family:monospace}}
.query{{margin:4px 0;padding:4px;background:#f7f7f7;border:1px solid #eee;white-space:pre-wrap;font-size:11px}}
.markdown h1{{font-size:18px;margin:2px 0}} .markdown h2{{font-size:14px;line-height:1.3;margin:0}} .markdown h3{{font-size:14px;margin:2px 0}}
.markdown h4{{font-size:13px;margin:2px 0}} .markdown p,.markdown ul{{margin:2px 0}} .markdown ul{{padding-left:18px}}
table.index{{border-collapse:collapse;margin:12px 16px;background:#fff}} table.index td,table.index th{{border:1px solid #d5dbdb;padding:4px 8px;text-align:left}}
"""


@dataclass(frozen=True)
class ViewLink:
    """A row of the index: a dashboard's view and body, or a report."""

    title: str
    href: str
    detail: str = ""
    body_href: str | None = None


def _page(title: str, header: str, main: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body><header>{header}</header>{main}</body></html>\n")


def dashboard_html(name: str, body: Mapping[str, Any], ctx: ViewContext) -> str:
    """A dashboard drawn on the grid. Raises ``WidgetRenderError`` for a widget it cannot draw."""
    widgets: Sequence[Any] = body.get("widgets") or []
    drawn = [widget_html(name, index, widget, ctx, body) for index, widget in enumerate(widgets)]
    rows = max((w["y"] + w["height"] for w in widgets), default=1)
    if ctx.live:
        hours = (ctx.live.window.end - ctx.live.window.start) / 3600
        mode = f"live data from CloudWatch, last {hours:g} h, times in UTC"
    else:
        mode = "offline preview: structure, thresholds and queries, no data"
    metrics = sum(metric_count(w) for w in widgets)
    header = (f"<h1>{escape(name)}</h1><p>stack {escape(ctx.stack)} · {escape(ctx.region)} · "
              f"{len(widgets)} widgets · {metrics} metrics · {escape(mode)} · "
              f'<a href="index.html">all views of {escape(ctx.stack)}</a></p>')
    main = (f'<main class="grid" data-dashboard="{escape(name)}" style="height:{rows * ROW_PX}px">'
            f'{"".join(drawn)}</main>')
    return _page(name, header, main)


def index_html(stack: str, region: str, dashboards: Sequence[ViewLink], reports: Sequence[ViewLink],
               live: bool = False) -> str:
    def row(d: ViewLink) -> str:
        body = f'<a href="{escape(d.body_href)}">JSON body</a>' if d.body_href else ""
        return (f'<tr><td><a href="{escape(d.href)}">{escape(d.title)}</a></td><td>{escape(d.detail)}</td>'
                f"<td>{body}</td></tr>")

    rows = "".join(row(d) for d in dashboards)
    report_rows = "".join(f'<li><a href="{escape(r.href)}">{escape(r.title)}</a> {escape(r.detail)}</li>'
                          for r in reports)
    mode = "live data" if live else "offline preview"
    header = f"<h1>Dashboards of {escape(stack)}</h1><p>{escape(region)} · {mode}</p>"
    main = (f'<table class="index"><thead><tr><th>dashboard</th><th>size</th><th>deployed body</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            + (f'<ul class="reports">{report_rows}</ul>' if reports else ""))
    return _page(f"{stack} dashboards", header, main)
