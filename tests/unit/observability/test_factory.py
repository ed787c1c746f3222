"""The shared alarm/widget builders every per-service factory relies on."""

from __future__ import annotations

import dataclasses

import pytest

from components.observability._factory import (
    GTE,
    NOT_BREACHING,
    ONE_DATAPOINT,
    ResourceMetrics,
    Window,
    alarm_spec,
    profile_window,
    severity_alarms,
)
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, MetricQuery, MetricStat, Severity, SeverityThresholds
from components.observability.thresholds import RECOMMENDED_THRESHOLDS

STAT = MetricStat("AWS/Test", "Failures", (("Name", "thing"),), "Sum", 300)


def test_alarm_spec_fills_the_shared_fields() -> None:
    spec = alarm_spec(
        ("svc", "Thing_A", "failed"),
        Severity.CRITICAL,
        summary="thing: failed",
        meaning="It failed.",
        check_first="the logs.",
        threshold=2.5,
        window=Window(4, 3),
        metric=STAT,
    )
    assert spec == AlarmSpec(
        key="svc-thing-a-failed-critical",
        severity=Severity.CRITICAL,
        summary="thing: failed",
        description=alarm_description("It failed.", "the logs."),
        comparison=GTE,
        threshold=2.5,
        evaluation_periods=4,
        datapoints_to_alarm=3,
        treat_missing_data=NOT_BREACHING,
        metric=STAT,
        queries=(),
    )


def test_alarm_spec_with_metric_math_has_no_single_metric() -> None:
    queries = (MetricQuery(id="a", metric=STAT), MetricQuery(id="total", expression="SUM([a])", return_data=True))
    spec = alarm_spec(("svc", "x"), Severity.WARNING, summary="s", meaning="m", check_first="c", threshold=1.0,
                      window=ONE_DATAPOINT, queries=queries)
    assert spec.metric is None
    assert spec.queries == queries
    assert (spec.evaluation_periods, spec.datapoints_to_alarm) == (1, 1)


def test_profile_window_comes_from_the_thresholds_profile() -> None:
    t = dataclasses.replace(RECOMMENDED_THRESHOLDS, evaluation_periods=5, datapoints_to_alarm=4)
    assert profile_window(t) == Window(evaluation_periods=5, datapoints_to_alarm=4)


def test_severity_alarms_one_per_enabled_severity_warning_first() -> None:
    specs = severity_alarms(
        SeverityThresholds(warning=10, critical=50),
        ("svc", "thing", "age"),
        window=Window(3, 2),
        summary=lambda pct: f"age >= {pct:g}%",
        meaning=lambda pct: f"meaning at {pct:g}%",
        check_first="the consumer.",
        threshold=lambda pct: pct * 2,
        metric=STAT,
    )
    assert [s.key for s in specs] == ["svc-thing-age-warning", "svc-thing-age-critical"]
    assert [s.severity for s in specs] == [Severity.WARNING, Severity.CRITICAL]
    # Texts see the configured value, the alarm gets the converted threshold.
    assert [s.summary for s in specs] == ["age >= 10%", "age >= 50%"]
    assert specs[0].description == alarm_description("meaning at 10%", "the consumer.")
    assert [s.threshold for s in specs] == [20.0, 100.0]
    assert all((s.evaluation_periods, s.datapoints_to_alarm) == (3, 2) for s in specs)
    assert all(s.metric == STAT and s.comparison == GTE and s.treat_missing_data == NOT_BREACHING for s in specs)


@pytest.mark.parametrize(
    ("thresholds", "expected"),
    [
        (SeverityThresholds(warning=None, critical=7), [(Severity.CRITICAL, 7.0)]),
        (SeverityThresholds(warning=0, critical=None), [(Severity.WARNING, 0.0)]),
        (SeverityThresholds(warning=None, critical=None), []),
    ],
)
def test_severity_alarms_skip_disabled_severities(thresholds: SeverityThresholds, expected: list) -> None:
    specs = severity_alarms(thresholds, ("svc", "x"), window=ONE_DATAPOINT, summary=str, meaning=str,
                            check_first="c", metric=STAT)
    assert [(s.severity, s.threshold) for s in specs] == expected
    assert all(isinstance(s.threshold, float) for s in specs)


def test_resource_metrics_binds_namespace_dimensions_and_period_in_order() -> None:
    m = ResourceMetrics("AWS/ApiGateway", {"ApiName": "orders", "Stage": "api"}, 60)
    stat = MetricStat("AWS/ApiGateway", "Latency", (("ApiName", "orders"), ("Stage", "api")), "p99", 60)
    assert m.stat("Latency", "p99") == stat
    assert m.query("latency_p99", "Latency", "p99", "Latency p99") == MetricQuery(
        id="latency_p99", metric=stat, label="Latency p99"
    )
    assert m.query("raw", "Latency", "p99").label is None
