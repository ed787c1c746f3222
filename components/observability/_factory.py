"""Shared plumbing for the per-service alarm factories."""

from __future__ import annotations

import re
from collections.abc import Callable

from components.observability.model import AlarmSpec, MetricStat, Severity, SeverityThresholds

GTE = "GreaterThanOrEqualToThreshold"
LTE = "LessThanOrEqualToThreshold"
LT = "LessThanThreshold"
NOT_BREACHING = "notBreaching"
MISSING = "missing"

_KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


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


def per_severity(
    thresholds: SeverityThresholds, build: Callable[[Severity, float], AlarmSpec]
) -> list[AlarmSpec]:
    """One spec per enabled severity, warning first."""
    return [build(severity, value) for severity, value in thresholds.enabled()]


def fmt(value: float) -> str:
    """Thresholds in summaries: no trailing .0 noise."""
    return f"{value:g}"
