"""Which alarms belong on which graph, so a view draws their threshold lines.

An alarm on one metric belongs on every graph that plots that metric (namespace, name and
dimensions; the statistic may differ, so the label states the alarm's). An alarm on metric math
belongs on a graph that plots every metric its math reads: the Lambda error-rate alarm divides
Errors by Invocations, and so does the errors graph. A graph that shows only one of them (say,
Errors alone on the overview) would put a percentage threshold over a count, so it gets no line.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from components.preview.views.metric_rows import GraphLine, metrics_behind
from components.reports.inventory import Alarm

_SYMBOLS = {
    "GreaterThanOrEqualToThreshold": "≥",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "≤",
}


@dataclass(frozen=True)
class Threshold:
    value: float
    severity: str
    alarm: str
    condition: str

    @property
    def label(self) -> str:
        return f"{self.severity} {self.condition}"


def condition(alarm: Alarm) -> str:
    """``p99 Duration ≥ 7000`` or ``Error rate (%) ≥ 1``: what the alarm compares, in words."""
    symbol = _SYMBOLS.get(alarm.comparison, alarm.comparison)
    if alarm.metric is not None:
        subject = f"{alarm.stat} {alarm.metric.name}"
    else:
        returned = alarm.returned
        subject = (returned.label or returned.expression or returned.id) if returned else "expression"
    return f"{subject} {symbol} {alarm.threshold:g}"


def thresholds_for(lines: Sequence[GraphLine], alarms: Iterable[Alarm]) -> list[Threshold]:
    """Threshold lines for a graph, warning before critical, each alarm once."""
    plotted = set().union(*(metrics_behind(line, lines) for line in lines)) if lines else set()
    found = []
    for alarm in alarms:
        needed = set(alarm.metrics)
        if needed and needed <= plotted:
            found.append(Threshold(alarm.threshold, alarm.severity, alarm.name, condition(alarm)))
    order = {"warning": 0, "critical": 1}
    return sorted(found, key=lambda t: (order.get(t.severity, 2), t.value, t.alarm))
