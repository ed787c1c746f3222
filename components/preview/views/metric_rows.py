"""The lines of a metric widget, read from its ``metrics`` array the way CloudWatch reads it.

A row is ``[namespace, name, dim, value, ..., {options}]`` or ``[{"expression": ..., "id": ...}]``;
a row's statistic and period default to the widget's. Anything else (CloudWatch's ``"."`` and
``"..."`` shorthands, search expressions, a stray option) is refused with a reason, so a view is
never drawn from a guess and the preview fails naming the widget.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from components.reports.inventory import MetricKey

DEFAULT_STAT = "Average"  # CloudWatch's default when neither the row nor the widget names one
DEFAULT_PERIOD = 300
ROW_OPTIONS = frozenset({"id", "label", "stat", "period", "visible", "color", "yAxis", "expression", "region",
                         "accountId", "unit"})
_SHORTHAND = frozenset({".", "..."})


class UnknownMetricShape(ValueError):
    """A metric row the views cannot interpret; the message says which row and why."""


@dataclass(frozen=True)
class GraphLine:
    """One row of a graph: a metric with its statistic and period, or an expression over other ids."""

    id: str
    label: str
    period: int
    visible: bool = True
    metric: MetricKey | None = None
    stat: str | None = None
    expression: str | None = None
    color: str | None = None

    def describe(self) -> str:
        """What the legend prints: the metric with its dimensions, statistic and period, or the expression."""
        if self.expression is not None:
            return f"expression {self.expression}"
        assert self.metric is not None
        return f"{self.metric.describe()} · {self.stat} · {self.period} s"


def _number(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise UnknownMetricShape(f"{where}: period must be a positive number, got {value!r}")
    return int(value)


def _options(row: list[Any], where: str) -> tuple[list[Any], Mapping[str, Any]]:
    if row and isinstance(row[-1], Mapping):
        unknown = sorted(set(row[-1]) - ROW_OPTIONS)
        if unknown:
            raise UnknownMetricShape(f"{where}: unknown row options {unknown}")
        return row[:-1], row[-1]
    return row, {}


def graph_lines(properties: Mapping[str, Any]) -> list[GraphLine]:
    """The widget's rows in order; ids are generated (``m1``, ``m2``...) for rows that have none."""
    rows = properties.get("metrics")
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
        raise UnknownMetricShape("metrics must be a non-empty array of rows")
    widget_stat = properties.get("stat")
    widget_period = _number(properties.get("period", DEFAULT_PERIOD), "widget")
    taken = {row[-1].get("id") for row in rows if isinstance(row, list) and row and isinstance(row[-1], Mapping)}
    lines: list[GraphLine] = []
    for index, row in enumerate(rows):
        where = f"metrics[{index}]"
        if not isinstance(row, list) or not row:
            raise UnknownMetricShape(f"{where}: a row must be a non-empty array")
        parts, options = _options(row, where)
        line_id = options.get("id")
        if line_id is None:
            line_id = next(f"m{n}" for n in range(index + 1, index + 2 + len(rows)) if f"m{n}" not in taken)
        if not isinstance(line_id, str) or not re.match(r"^[a-z][A-Za-z0-9_]*$", line_id):
            raise UnknownMetricShape(f"{where}: id {line_id!r} is not a CloudWatch query id")
        period = _number(options.get("period", widget_period), where)
        visible = options.get("visible", True) is not False
        color = options.get("color") if isinstance(options.get("color"), str) else None
        if not parts:
            expression = options.get("expression")
            if not isinstance(expression, str) or not expression.strip():
                raise UnknownMetricShape(f"{where}: an options-only row must carry an expression")
            if expression.lstrip().upper().startswith(("SEARCH(", "SELECT ")):
                raise UnknownMetricShape(f"{where}: search and Metrics Insights expressions are not drawn offline")
            lines.append(GraphLine(id=line_id, label=str(options.get("label") or line_id), period=period,
                                   visible=visible, expression=expression, color=color))
            continue
        if "expression" in options:
            raise UnknownMetricShape(f"{where}: a row is either a metric or an expression, not both")
        if any(part in _SHORTHAND for part in parts):
            raise UnknownMetricShape(f"{where}: the '.' and '...' shorthands are not expanded; write the row out")
        if not all(isinstance(part, str) and part for part in parts) or len(parts) < 2 or len(parts) % 2:
            raise UnknownMetricShape(f"{where}: expected namespace, metric name and name/value dimension pairs")
        namespace, name, *dims = parts
        metric = MetricKey.of(namespace, name, zip(dims[0::2], dims[1::2]))
        stat = options.get("stat") or widget_stat or DEFAULT_STAT
        if not isinstance(stat, str):
            raise UnknownMetricShape(f"{where}: stat must be a string, got {stat!r}")
        lines.append(GraphLine(id=line_id, label=str(options.get("label") or name), period=period, visible=visible,
                               metric=metric, stat=stat, color=color))
    return lines


def referenced_ids(expression: str) -> set[str]:
    """Ids an expression reads; function names (upper case) and ``METRICS()`` are not ids."""
    return {token for token in re.findall(r"\b[a-z][A-Za-z0-9_]*\b", expression)}


def metrics_behind(line: GraphLine, lines: Sequence[GraphLine]) -> set[MetricKey]:
    """The metrics a line is computed from, following expressions through other expressions."""
    by_id = {other.id: other for other in lines}
    seen: set[str] = set()
    found: set[MetricKey] = set()
    pending = [line]
    while pending:
        current = pending.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        if current.metric is not None:
            found.add(current.metric)
        elif current.expression is not None:
            pending += [by_id[i] for i in referenced_ids(current.expression) if i in by_id]
    return found
