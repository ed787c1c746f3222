from __future__ import annotations

import dataclasses

import pytest

from components.observability.descriptions import alarm_description
from components.observability.model import MAX_DESCRIPTION_CHARS, MetricStat, Severity, SeverityThresholds
from components.observability.thresholds import RECOMMENDED_THRESHOLDS


def test_enabled_severities_skip_none_and_keep_order() -> None:
    assert SeverityThresholds(warning=1, critical=5).enabled() == [(Severity.WARNING, 1.0), (Severity.CRITICAL, 5.0)]
    assert SeverityThresholds(warning=None, critical=5).enabled() == [(Severity.CRITICAL, 5.0)]
    assert SeverityThresholds(warning=None, critical=None).enabled() == []


def test_zero_is_a_threshold_not_disabled() -> None:
    assert SeverityThresholds(warning=0, critical=None).enabled() == [(Severity.WARNING, 0.0)]


def test_percentile_stat_detected() -> None:
    assert MetricStat("AWS/Lambda", "Duration", (), "p99", 60).is_percentile
    assert not MetricStat("AWS/Lambda", "Duration", (), "Maximum", 60).is_percentile


@pytest.mark.parametrize(
    "change",
    [
        {"datapoints_to_alarm": 5},
        {"evaluation_periods": 0, "datapoints_to_alarm": 0},
        {"period_seconds": 90},
        {"min_invocations": -1},
    ],
)
def test_invalid_threshold_profiles_rejected(change: dict) -> None:
    with pytest.raises(ValueError, match="invalid AlarmThresholds"):
        dataclasses.replace(RECOMMENDED_THRESHOLDS, **change)


def test_description_trims_meaning_but_keeps_runbook_hint() -> None:
    text = alarm_description("x" * 5000, "the logs")
    assert len(text) == MAX_DESCRIPTION_CHARS
    assert text.endswith("Check first: the logs")


def test_description_rejects_overlong_hint() -> None:
    with pytest.raises(ValueError, match="runbook hint"):
        alarm_description("meaning", "y" * 600)


def test_alarm_keys_are_slugged_and_validated() -> None:
    from components.observability._factory import alarm_key

    assert alarm_key("lambda", "Orders_API", "errors", "warning") == "lambda-orders-api-errors-warning"
    with pytest.raises(ValueError):
        alarm_key("", "---")
