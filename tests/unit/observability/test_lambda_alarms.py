from __future__ import annotations

import dataclasses

from components.observability.lambda_.alarms import (
    concurrency_alarms,
    duration_alarms,
    duration_threshold_ms,
    error_rate_alarms,
    error_rate_expression,
    iterator_age_alarms,
    lambda_alarms,
    throttle_alarms,
)
from components.observability.model import Severity, SeverityThresholds

from .conftest import only


def test_error_rate_is_guarded_metric_math(api_fn, thresholds) -> None:
    specs = error_rate_alarms(api_fn, thresholds)
    assert [s.severity for s in specs] == [Severity.WARNING, Severity.CRITICAL]
    assert [s.threshold for s in specs] == [1.0, 5.0]
    spec = specs[1]
    assert spec.metric is None
    by_id = {q.id: q for q in spec.queries}
    assert by_id["invocations"].metric.metric_name == "Invocations"
    assert by_id["errors"].metric.metric_name == "Errors"
    assert by_id["errors"].metric.stat == "Sum"
    assert by_id["errors"].metric.dimensions == (("FunctionName", "platform-dev-orders-api"),)
    assert by_id["error_rate"].expression == "IF(invocations >= 20, 100 * errors / invocations, 0)"
    assert [q.id for q in spec.queries if q.return_data] == ["error_rate"]
    assert spec.key == "lambda-api-errors-critical"
    assert spec.treat_missing_data == "notBreaching"


def test_min_invocation_guard_follows_thresholds(api_fn, thresholds) -> None:
    assert error_rate_expression(7) == "IF(invocations >= 7, 100 * errors / invocations, 0)"
    spec = error_rate_alarms(api_fn, dataclasses.replace(thresholds, min_invocations=7))[0]
    assert "invocations >= 7" in spec.queries[-1].expression


def test_duration_threshold_is_percent_of_timeout(api_fn, thresholds) -> None:
    assert duration_threshold_ms(10, 80) == 8000
    assert duration_threshold_ms(3, 50) == 1500
    specs = duration_alarms(api_fn, thresholds)
    assert [s.threshold for s in specs] == [8000.0, 9500.0]
    assert specs[0].metric.metric_name == "Duration"
    assert specs[0].metric.stat == "p99"


def test_throttles_are_counts(api_fn, thresholds) -> None:
    specs = throttle_alarms(api_fn, thresholds)
    assert [(s.metric.metric_name, s.metric.stat, s.threshold) for s in specs] == [
        ("Throttles", "Sum", 1.0),
        ("Throttles", "Sum", 10.0),
    ]


def test_none_disables_a_severity(api_fn, thresholds) -> None:
    t = only(thresholds, lambda_error_rate_pct=SeverityThresholds(warning=None, critical=3))
    specs = error_rate_alarms(api_fn, t)
    assert [(s.severity, s.threshold) for s in specs] == [(Severity.CRITICAL, 3.0)]
    t = only(thresholds, lambda_throttles=SeverityThresholds(warning=None, critical=None))
    assert throttle_alarms(api_fn, t) == []


def test_concurrency_alarm_only_with_reserved_concurrency(api_fn, thresholds) -> None:
    specs = concurrency_alarms(api_fn, thresholds)
    assert len(specs) == 1
    assert specs[0].metric.metric_name == "ConcurrentExecutions"
    assert specs[0].metric.stat == "Maximum"
    assert specs[0].threshold == 45.0  # 90% of 50
    assert concurrency_alarms(dataclasses.replace(api_fn, reserved_concurrency=None), thresholds) == []


def test_iterator_age_only_for_stream_consumers(api_fn, thresholds) -> None:
    assert iterator_age_alarms(api_fn, thresholds) == []
    specs = iterator_age_alarms(dataclasses.replace(api_fn, reads_stream=True), thresholds)
    assert [s.metric.metric_name for s in specs] == ["IteratorAge", "IteratorAge"]


def test_periods_and_datapoints_flow_from_profile(api_fn, thresholds) -> None:
    t = dataclasses.replace(thresholds, period_seconds=60, evaluation_periods=5, datapoints_to_alarm=4)
    for spec in lambda_alarms(api_fn, t):
        assert (spec.evaluation_periods, spec.datapoints_to_alarm) == (5, 4)
        stats = [spec.metric] if spec.metric else [q.metric for q in spec.queries if q.metric]
        assert {m.period for m in stats} == {60}


def test_keys_fall_back_to_function_name(api_fn, thresholds) -> None:
    specs = lambda_alarms(dataclasses.replace(api_fn, part=""), thresholds)
    assert specs[0].key == "lambda-platform-dev-orders-api-errors-warning"
