"""What a view knows beyond the body: the stack's alarms and, in live mode, the fetched data."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from components.preview.views.svg_chart import TimeWindow
from components.reports.inventory import Alarm, CompositeAlarm

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

    def alarm_named(self, name: str) -> Alarm | CompositeAlarm | None:
        return next((a for a in [*self.alarms, *self.composites] if a.name == name), None)


def window_seconds(start: object) -> int:
    """Seconds covered by a body's relative ``start`` such as ``-PT6H``; CloudWatch's 3 h without one."""
    match = _DURATION.match(start) if isinstance(start, str) else None
    if not match or not any(match.groups()):
        return DEFAULT_WINDOW_SECONDS
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def offline_window(body: Mapping[str, object]) -> TimeWindow:
    return TimeWindow(start=-float(window_seconds(body.get("start"))), end=0.0, live=False)
