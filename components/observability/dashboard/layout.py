"""Grid layout and validation of CloudWatch dashboard bodies.

Dashboards are committed to git and compared by a staleness test, so layout
is a pure function of the widget order: same input, same body, byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from components.observability.dashboard.widgets import GRID_WIDTH, MAX_ALARMS_PER_ALARM_WIDGET, Widget

# CloudWatch's documented limits on a dashboard body:
# - "between 0 and 500 widget objects", widget width 1-24, height 1-1000 (Dashboard Body Structure
#   and Syntax, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html);
# - "Up to 500 metrics per dashboard widget. Up to 2500 metrics per dashboard, across all widgets.
#   These quotas include all metrics retrieved for use in metric math functions, even if those
#   metrics are not displayed on the graph" (CloudWatch service quotas,
#   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html);
# - a metric-math expression is at most 2048 characters and an id starts with a lowercase letter,
#   then letters, digits and underscores (MetricDataQuery in the CloudWatch API Reference; the
#   botocore service model carries the same constraints).
# AWS documents no byte limit for DashboardBody itself (neither the quotas page nor the API model
# gives one); the metric quotas above are what bound its size, and they are checked here.
MAX_WIDGETS = 500
MAX_WIDGET_HEIGHT = 1000
MAX_METRICS_PER_WIDGET = 500
MAX_METRICS_PER_DASHBOARD = 2500
MAX_EXPRESSION_CHARS = 2048
WIDGET_TYPES = frozenset({"metric", "text", "log", "alarm", "explorer"})
_METRIC_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")
# PutDashboard: "The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_""
# (CloudWatch API Reference, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
MAX_DASHBOARD_NAME_CHARS = 255
_DASHBOARD_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def dashboard_name_problems(name: Any) -> list[str]:
    """What PutDashboard would reject in a dashboard name; empty when the name is fine."""
    if not isinstance(name, str) or not name:
        return [f"dashboard name {name!r} must be a non-empty string"]
    problems = []
    if len(name) > MAX_DASHBOARD_NAME_CHARS:
        problems.append(f"dashboard name {name!r} is {len(name)} characters; at most {MAX_DASHBOARD_NAME_CHARS}")
    if not _DASHBOARD_NAME.match(name):
        bad = sorted({ch for ch in name if not (ch.isascii() and (ch.isalnum() or ch in "-_"))})
        problems.append(f"dashboard name {name!r} has characters {''.join(bad)!r}; only A-Z, a-z, 0-9, - and _ "
                        "are allowed")
    return problems


class DashboardValidationError(ValueError):
    """A dashboard body CloudWatch would reject; the message names the dashboard and lists every problem."""

    def __init__(self, problems: Sequence[str], name: str | None = None) -> None:
        self.problems = list(problems)
        self.dashboard = name
        where = f"dashboard {name}" if name else "dashboard body"
        super().__init__(f"{where} is invalid:\n- " + "\n- ".join(self.problems))


def widget_label(index: int, widget: Any) -> str:
    """``widget 3 ("orders: errors")``: the index CloudWatch reports and the title a reader recognises."""
    title = None
    if isinstance(widget, dict) and isinstance(widget.get("properties"), dict):
        props = widget["properties"]
        title = props.get("title")
        if not isinstance(title, str) and isinstance(props.get("markdown"), str):
            first = next((line for line in props["markdown"].splitlines() if line.strip()), "")
            title = first.lstrip("#").strip()
    return f'widget {index} ("{title}")' if isinstance(title, str) and title else f"widget {index}"


def place(widgets: Iterable[Widget], start_y: int = 0) -> list[Widget]:
    """Flow widgets left to right into 24 columns, wrapping to a new row when one does not fit.

    A row is as tall as its tallest widget, so widgets never overlap. Inputs are
    copied, never mutated.
    """
    placed: list[Widget] = []
    x, y, row_height = 0, start_y, 0
    for widget in widgets:
        width, height = widget["width"], widget["height"]
        if x + width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        placed.append({**widget, "x": x, "y": y})
        x += width
        row_height = max(row_height, height)
    return placed


def pack_sections(sections: Sequence[Sequence[Widget]]) -> list[Widget]:
    """Place each section starting on a fresh row, sections in order, empty sections skipped."""
    placed: list[Widget] = []
    y = 0
    for section in sections:
        if not section:
            continue
        rows = place(section, start_y=y)
        placed += rows
        y = max(w["y"] + w["height"] for w in rows)
    return placed


def dashboard_body(
    widgets: Sequence[Widget], *, start: str | None = None, period_override: str | None = None
) -> dict[str, Any]:
    """The body dict; ``start`` like ``-PT6H``, ``period_override`` ``auto`` or ``inherit``."""
    body: dict[str, Any] = {}
    if start is not None:
        body["start"] = start
    if period_override is not None:
        if period_override not in ("auto", "inherit"):
            raise ValueError(f"period_override must be 'auto' or 'inherit', got {period_override!r}")
        body["periodOverride"] = period_override
    body["widgets"] = list(widgets)
    return body


def render_dashboard_body(body: dict[str, Any], indent: int | None = None) -> str:
    """Canonical JSON (sorted keys) so the committed file and the deployed body are identical."""
    return json.dumps(body, sort_keys=True, indent=indent, separators=(",", ": ") if indent else (",", ":"))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _metric_row_problems(where: str, row: Any) -> list[str]:
    if not isinstance(row, list) or not row:
        return [f"{where}: a metrics row must be a non-empty array"]
    if isinstance(row[0], dict):
        if len(row) != 1 or "expression" not in row[0]:
            return [f"{where}: an object-first row must be a single {{'expression': ...}} object"]
        return []
    strings = row[:-1] if isinstance(row[-1], dict) else row
    if not all(isinstance(part, str) and part for part in strings):
        return [f"{where}: namespace, metric name and dimensions must be non-empty strings"]
    if len(strings) < 2:
        return [f"{where}: a metric row needs a namespace and a metric name"]
    if (len(strings) - 2) % 2:
        return [f"{where}: dimensions must come in name/value pairs"]
    if any(isinstance(part, dict) for part in row[:-1]):
        return [f"{where}: the options object must be the last element"]
    return []


def metric_count(widget: Any) -> int:
    """Metrics a widget retrieves: every metric row, shown or not; expressions are computed, not retrieved."""
    if not isinstance(widget, dict) or widget.get("type") != "metric":
        return 0
    rows = (widget.get("properties") or {}).get("metrics") or []
    return sum(1 for row in rows if isinstance(row, list) and row and not isinstance(row[0], dict))


def _query_id_problems(where: str, rows: list[Any]) -> list[str]:
    problems: list[str] = []
    for r, row in enumerate(rows):
        if not isinstance(row, list) or not row or not isinstance(row[-1], dict):
            continue
        options = row[-1]
        query_id = options.get("id")
        if query_id is not None and not (isinstance(query_id, str) and _METRIC_ID.match(query_id)):
            problems.append(f"{where} metrics[{r}]: id {query_id!r} must start with a lowercase letter, then letters, "
                            "digits or underscores")
        expression = options.get("expression")
        if isinstance(expression, str) and len(expression) > MAX_EXPRESSION_CHARS:
            problems.append(f"{where} metrics[{r}]: expression is {len(expression)} characters; at most "
                            f"{MAX_EXPRESSION_CHARS}")
    return problems


def _widget_problems(index: int, widget: Any) -> list[str]:
    where = widget_label(index, widget)
    if not isinstance(widget, dict):
        return [f"{where}: must be an object"]
    problems: list[str] = []
    wtype = widget.get("type")
    if wtype not in WIDGET_TYPES:
        problems.append(f"{where}: unknown type {wtype!r}")
    for field, low, high in (("x", 0, GRID_WIDTH - 1), ("y", 0, None), ("width", 1, GRID_WIDTH), ("height", 1, MAX_WIDGET_HEIGHT)):
        value = widget.get(field)
        if not _is_int(value):
            problems.append(f"{where}: {field} must be an integer, got {value!r}")
        elif value < low or (high is not None and value > high):
            problems.append(f"{where}: {field}={value} out of range [{low}, {high if high is not None else 'inf'}]")
    x, width = widget.get("x"), widget.get("width")
    if _is_int(x) and _is_int(width) and x + width > GRID_WIDTH:
        problems.append(f"{where}: x + width = {x + width} overflows the {GRID_WIDTH}-column grid")
    props = widget.get("properties")
    if not isinstance(props, dict):
        return problems + [f"{where}: properties must be an object"]
    if wtype in ("metric", "log") and not (isinstance(props.get("region"), str) and props["region"]):
        problems.append(f"{where}: {wtype} widget has no region")
    if wtype == "metric":
        rows = props.get("metrics")
        if not isinstance(rows, list) or not rows:
            problems.append(f"{where}: metric widget needs a non-empty metrics array")
        else:
            for r, row in enumerate(rows):
                problems += _metric_row_problems(f"{where} metrics[{r}]", row)
            problems += _query_id_problems(where, rows)
            if metric_count(widget) > MAX_METRICS_PER_WIDGET:
                problems.append(f"{where}: {metric_count(widget)} metrics; CloudWatch allows at most "
                                f"{MAX_METRICS_PER_WIDGET} per widget")
    elif wtype == "log":
        if not (isinstance(props.get("query"), str) and "SOURCE" in props["query"]):
            problems.append(f"{where}: log widget query must name its log groups with SOURCE")
    elif wtype == "alarm":
        alarms = props.get("alarms")
        if not isinstance(alarms, list) or not alarms or not all(isinstance(a, str) for a in alarms):
            problems.append(f"{where}: alarm widget needs a non-empty array of alarm ARNs")
        elif len(alarms) > MAX_ALARMS_PER_ALARM_WIDGET:
            problems.append(f"{where}: alarm widget has {len(alarms)} alarms, at most {MAX_ALARMS_PER_ALARM_WIDGET}")
    elif wtype == "text" and not isinstance(props.get("markdown"), str):
        problems.append(f"{where}: text widget needs markdown")
    return problems


def _overlap_problems(widgets: Sequence[Any]) -> list[str]:
    cells: dict[tuple[int, int], int] = {}
    problems: list[str] = []
    for index, w in enumerate(widgets):
        if not isinstance(w, dict) or not all(_is_int(w.get(k)) for k in ("x", "y", "width", "height")):
            continue
        if w["x"] + w["width"] > GRID_WIDTH or min(w["x"], w["y"]) < 0 or w["height"] > MAX_WIDGET_HEIGHT:
            continue
        clash = next(
            (cells[(cx, cy)] for cx in range(w["x"], w["x"] + w["width"]) for cy in range(w["y"], w["y"] + w["height"]) if (cx, cy) in cells),
            None,
        )
        if clash is not None:
            problems.append(f"{widget_label(index, w)}: overlaps {widget_label(clash, widgets[clash])}")
            continue
        for cx in range(w["x"], w["x"] + w["width"]):
            for cy in range(w["y"], w["y"] + w["height"]):
                cells[(cx, cy)] = index
    return problems


def validate_dashboard_body(body: Any, name: str | None = None) -> None:
    """Raise DashboardValidationError listing every problem CloudWatch (or a reader) would hit.

    ``name`` (the dashboard's name, or what a reader calls it) is put in the message, so a failing
    preview says which dashboard and which widget to look at.
    """
    if not isinstance(body, dict):
        raise DashboardValidationError(["body must be an object"], name)
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        raise DashboardValidationError(["body must have a widgets array"], name)
    problems: list[str] = []
    if len(widgets) > MAX_WIDGETS:
        problems.append(f"{len(widgets)} widgets; CloudWatch allows at most {MAX_WIDGETS}")
    total_metrics = sum(metric_count(w) for w in widgets)
    if total_metrics > MAX_METRICS_PER_DASHBOARD:
        problems.append(f"{total_metrics} metrics across all widgets; CloudWatch allows at most "
                        f"{MAX_METRICS_PER_DASHBOARD} per dashboard")
    if "periodOverride" in body and body["periodOverride"] not in ("auto", "inherit"):
        problems.append(f"periodOverride must be 'auto' or 'inherit', got {body['periodOverride']!r}")
    for index, widget in enumerate(widgets):
        problems += _widget_problems(index, widget)
    problems += _overlap_problems(widgets)
    try:
        json.dumps(body)
    except (TypeError, ValueError) as exc:
        problems.append(f"body is not JSON-serialisable: {exc}")
    if problems:
        raise DashboardValidationError(problems, name)
