"""Shared plumbing for the per-service alarm factories.

Every default alarm on this platform has the same shape: it fires at or above
its threshold, a period without data is healthy (``notBreaching``), its key is
``<parts>-<severity>`` and its description is "meaning + Check first". The
builders below fill those fields in one place so a factory only states what is
specific to its alarm (key parts, texts, threshold, metric or metric math).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, MetricQuery, MetricStat, Severity, SeverityThresholds
from components.observability.thresholds import AlarmThresholds

GTE = "GreaterThanOrEqualToThreshold"
LTE = "LessThanOrEqualToThreshold"
LT = "LessThanThreshold"
NOT_BREACHING = "notBreaching"
MISSING = "missing"

_KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Window(NamedTuple):
    """How many periods CloudWatch evaluates, and how many of them must breach."""

    evaluation_periods: int
    datapoints_to_alarm: int


# For events that are lost data or a stopped workflow: one occurrence is enough.
ONE_DATAPOINT = Window(1, 1)


def profile_window(t: AlarmThresholds) -> Window:
    """The environment profile's window: rates and latencies must persist before anyone is paged."""
    return Window(t.evaluation_periods, t.datapoints_to_alarm)


def slug(text: str) -> str:
    """Lowercase-hyphen form used in keys: alarm names are read by humans and tooling alike."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def alarm_key(*parts: str) -> str:
    key = "-".join(slug(p) for p in parts if p)
    if not _KEY_RE.match(key):
        raise ValueError(f"alarm key {key!r} is not lowercase-hyphen")
    return key


def metric(namespace: str, name: str, dimensions: dict[str, str], stat: str, period: int) -> MetricStat:
    """A MetricStat with dimensions in the given (deliberate) order."""
    return MetricStat(namespace, name, tuple(dimensions.items()), stat, period)


@dataclass(frozen=True)
class ResourceMetrics:
    """One resource's metrics at one period, for the per-service widget builders.

    A widget set names many metrics of the same resource; namespace, dimensions
    and period are stated once here instead of in a local helper per module.
    """

    namespace: str
    dimensions: Mapping[str, str]
    period: int

    def stat(self, name: str, stat: str) -> MetricStat:
        return metric(self.namespace, name, dict(self.dimensions), stat, self.period)

    def query(self, query_id: str, name: str, stat: str, label: str | None = None) -> MetricQuery:
        """A metric row with an id (for expressions) and a legend label."""
        return MetricQuery(id=query_id, metric=self.stat(name, stat), label=label)


def per_severity(
    thresholds: SeverityThresholds, build: Callable[[Severity, float], AlarmSpec]
) -> list[AlarmSpec]:
    """One spec per enabled severity, warning first."""
    return [build(severity, value) for severity, value in thresholds.enabled()]


def guarded_percent(part: str, total: str, minimum: int) -> str:
    """`part` as a percentage of `total` (metric query ids), forced to 0 below `minimum` per period:
    without the guard one failure out of two requests would page someone at 50 %."""
    return f"IF({total} >= {minimum}, 100 * {part} / {total}, 0)"


def fmt(value: float) -> str:
    """Thresholds in summaries: no trailing .0 noise."""
    return f"{value:g}"


def alarm_spec(
    key_parts: Sequence[str],
    severity: Severity,
    *,
    summary: str,
    meaning: str,
    check_first: str,
    threshold: float,
    window: Window,
    metric: MetricStat | None = None,
    queries: tuple[MetricQuery, ...] = (),
) -> AlarmSpec:
    """One ">= threshold, missing data is healthy" alarm; the key ends in the severity.

    Give either ``metric`` (one series) or ``queries`` (metric math whose
    ``return_data`` row is alarmed on).
    """
    return AlarmSpec(
        key=alarm_key(*key_parts, severity.value),
        severity=severity,
        summary=summary,
        description=alarm_description(meaning, check_first),
        comparison=GTE,
        threshold=threshold,
        evaluation_periods=window.evaluation_periods,
        datapoints_to_alarm=window.datapoints_to_alarm,
        treat_missing_data=NOT_BREACHING,
        metric=metric,
        queries=queries,
    )


def severity_alarms(
    thresholds: SeverityThresholds,
    key_parts: Sequence[str],
    *,
    window: Window,
    summary: Callable[[float], str],
    meaning: Callable[[float], str],
    check_first: str,
    threshold: Callable[[float], float] | None = None,
    metric: MetricStat | None = None,
    queries: tuple[MetricQuery, ...] = (),
) -> list[AlarmSpec]:
    """``alarm_spec`` once per enabled severity of ``thresholds``, warning first.

    ``summary`` and ``meaning`` receive the configured value so the text names
    the number the operator set. ``threshold`` converts that value when it is
    relative (e.g. % of a timeout) into the alarm's absolute threshold; by
    default the configured value is the threshold.
    """

    def build(severity: Severity, value: float) -> AlarmSpec:
        return alarm_spec(
            key_parts,
            severity,
            summary=summary(value),
            meaning=meaning(value),
            check_first=check_first,
            threshold=value if threshold is None else threshold(value),
            window=window,
            metric=metric,
            queries=queries,
        )

    return per_severity(thresholds, build)
