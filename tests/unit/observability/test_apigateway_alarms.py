from __future__ import annotations

from components.observability.apigateway.alarms import (
    client_error_alarms,
    latency_alarms,
    rest_api_alarms,
    server_error_alarms,
)
from components.observability.model import SeverityThresholds

from .conftest import only

DIMS = (("ApiName", "platform-dev-orders"), ("Stage", "api"))


def test_5xx_rate_with_count_guard(api, thresholds) -> None:
    specs = server_error_alarms(api, thresholds)
    assert [s.threshold for s in specs] == [1.0, 5.0]
    by_id = {q.id: q for q in specs[0].queries}
    assert by_id["requests"].metric.metric_name == "Count"
    assert by_id["server_errors"].metric.metric_name == "5XXError"
    assert by_id["server_errors"].metric.dimensions == DIMS
    assert by_id["error_rate"].expression == "IF(requests >= 20, 100 * server_errors / requests, 0)"
    assert by_id["error_rate"].return_data
    assert specs[0].key == "api-api-5xx-warning"


def test_4xx_is_warning_only_by_default(api, thresholds) -> None:
    specs = client_error_alarms(api, thresholds)
    assert [(s.severity.value, s.threshold) for s in specs] == [("warning", 10.0)]
    assert {q.metric.metric_name for q in specs[0].queries if q.metric} == {"Count", "4XXError"}


def test_latency_p99(api, thresholds) -> None:
    specs = latency_alarms(api, thresholds)
    assert [(s.metric.metric_name, s.metric.stat, s.threshold) for s in specs] == [
        ("Latency", "p99", 1000.0),
        ("Latency", "p99", 3000.0),
    ]
    assert specs[0].metric.dimensions == DIMS


def test_disabled_api_severities(api, thresholds) -> None:
    t = only(thresholds, api_4xx_rate_pct=SeverityThresholds(None, None), api_latency_p99_ms=SeverityThresholds(None, 900))
    keys = [s.key for s in rest_api_alarms(api, t)]
    assert keys == ["api-api-5xx-warning", "api-api-5xx-critical", "api-api-latency-critical"]
