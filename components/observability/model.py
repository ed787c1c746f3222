"""The data model shared by the alarm factories and the Pulumi emitters.

Specs are frozen dataclasses so they can be compared, hashed and rendered
deterministically; the emitter maps them 1:1 onto ``aws.cloudwatch.MetricAlarm``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# CloudWatch API limits (botocore service model: AlarmDescription max 1024,
# AlarmName max 255). An alarm on a metric-math expression may reference at
# most 10 metrics, so factories that sum per-operation metrics stay below it.
MAX_DESCRIPTION_CHARS = 1024
MAX_ALARM_NAME_CHARS = 255
MAX_METRICS_PER_ALARM = 10

STANDARD_STATS = frozenset({"Sum", "Average", "Maximum", "Minimum", "SampleCount"})


class Severity(str, Enum):
    """Each severity routes to its own SNS action, chosen per environment."""

    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class SeverityThresholds:
    """A threshold per severity; ``None`` switches that severity off."""

    warning: float | None
    critical: float | None

    def enabled(self) -> list[tuple[Severity, float]]:
        """Enabled severities in a fixed order (warning, then critical) for stable output."""
        pairs = [(Severity.WARNING, self.warning), (Severity.CRITICAL, self.critical)]
        return [(severity, float(value)) for severity, value in pairs if value is not None]


@dataclass(frozen=True)
class MetricStat:
    """One CloudWatch metric with its statistic and period.

    ``stat`` is a standard statistic or a percentile such as ``p99``; the emitter
    sends percentiles as ``extended_statistic``.
    """

    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    period: int

    @property
    def is_percentile(self) -> bool:
        return self.stat not in STANDARD_STATS


@dataclass(frozen=True)
class MetricQuery:
    """One row of a metric-math alarm: either a metric or an expression over other ids."""

    id: str
    expression: str | None = None
    metric: MetricStat | None = None
    label: str | None = None
    return_data: bool = False


@dataclass(frozen=True)
class AlarmSpec:
    """Everything an emitter needs to create one CloudWatch metric alarm."""

    key: str
    severity: Severity
    summary: str
    description: str
    comparison: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    metric: MetricStat | None = None
    queries: tuple[MetricQuery, ...] = ()
