"""What a view knows beyond the body: the stack's alarms and, in live mode, the fetched data."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from components.preview.views.svg_chart import TimeWindow
from components.reports.inventory import Alarm, CompositeAlarm, MetricKey

Points = tuple[tuple[float, float], ...]
_DURATION = re.compile(r"^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
DEFAULT_WINDOW_SECONDS = 3 * 3600  # CloudWatch's default time range


@dataclass(frozen=True)
class LiveData:
    """Data fetched from CloudWatch for one stack, keyed by (dashboard name, widget index)."""

    window: TimeWindow
    series: Mapping[tuple[str, int], Mapping[str, Points]] = field(default_factory=dict)
    errors: Mapping[tuple[str, int], str] = field(default_factory=dict)
    alarm_states: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewContext:
    stack: str
    region: str
    alarms: Sequence[Alarm] = ()
    composites: Sequence[CompositeAlarm] = ()
    live: LiveData | None = None

    @cached_property
    def _by_name(self) -> dict[str, Alarm | CompositeAlarm]:
        return {a.name: a for a in [*self.alarms, *self.composites]}

    @cached_property
    def _by_metric(self) -> dict[MetricKey, list[Alarm]]:
        index: dict[MetricKey, list[Alarm]] = {}
        for alarm in self.alarms:
            for metric in dict.fromkeys(alarm.metrics):
                index.setdefault(metric, []).append(alarm)
        return index

    def alarm_named(self, name: str) -> Alarm | CompositeAlarm | None:
        return self._by_name.get(name)

    def alarms_reading(self, metrics: Iterable[MetricKey]) -> list[Alarm]:
        """Alarms that read at least one of ``metrics``: looked up, so a stack of a hundred services
        does not compare every graph with every alarm."""
        found = {id(a): a for m in metrics for a in self._by_metric.get(m, ())}
        return list(found.values())


def window_seconds(start: object) -> int:
    """Seconds covered by a body's relative ``start`` such as ``-PT6H``; CloudWatch's 3 h without one."""
    match = _DURATION.match(start) if isinstance(start, str) else None
    if not match or not any(match.groups()):
        return DEFAULT_WINDOW_SECONDS
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def offline_window(body: Mapping[str, object]) -> TimeWindow:
    return TimeWindow(start=-float(window_seconds(body.get("start"))), end=0.0, live=False)
