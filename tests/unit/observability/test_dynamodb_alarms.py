from __future__ import annotations

import dataclasses

import pytest

from components.observability.dynamodb.alarms import (
    SYSTEM_ERROR_OPERATIONS,
    system_error_alarms,
    table_alarms,
    throttle_alarms,
)
from components.observability.model import MAX_METRICS_PER_ALARM, SeverityThresholds

from .conftest import only


def test_throttles_sum_read_and_write_events_of_table_and_gsis(table, thresholds) -> None:
    spec = throttle_alarms(table, thresholds)[0]
    metrics = [q.metric for q in spec.queries if q.metric]
    assert sorted((m.metric_name, m.dimensions) for m in metrics) == sorted(
        [
            ("ReadThrottleEvents", (("TableName", "platform-dev-orders-table"),)),
            ("WriteThrottleEvents", (("TableName", "platform-dev-orders-table"),)),
            ("ReadThrottleEvents", (("TableName", "platform-dev-orders-table"), ("GlobalSecondaryIndexName", "by-customer"))),
            ("WriteThrottleEvents", (("TableName", "platform-dev-orders-table"), ("GlobalSecondaryIndexName", "by-customer"))),
        ]
    )
    assert all(m.stat == "Sum" for m in metrics)
    result = [q for q in spec.queries if q.return_data]
    assert len(result) == 1
    assert result[0].expression == "SUM([reads_table, writes_table, reads_gsi0, writes_gsi0])"


def test_too_many_gsis_fail_loudly(table, thresholds) -> None:
    wide = dataclasses.replace(table, global_secondary_indexes=tuple(f"gsi-{i}" for i in range(5)))
    with pytest.raises(ValueError, match="GSIs"):
        throttle_alarms(wide, thresholds)


def test_system_errors_sum_every_operation_dimension(table, thresholds) -> None:
    spec = system_error_alarms(table, thresholds)[0]
    metrics = [q.metric for q in spec.queries if q.metric]
    assert {m.metric_name for m in metrics} == {"SystemErrors"}
    assert [dict(m.dimensions)["Operation"] for m in metrics] == list(SYSTEM_ERROR_OPERATIONS)
    assert all(dict(m.dimensions)["TableName"] == "platform-dev-orders-table" for m in metrics)
    assert len(metrics) <= MAX_METRICS_PER_ALARM
    assert spec.queries[-1].return_data and spec.queries[-1].expression.startswith("SUM([op_getitem")


def test_thresholds_and_disabling(table, thresholds) -> None:
    assert [s.threshold for s in throttle_alarms(table, thresholds)] == [1.0, 50.0]
    t = only(thresholds, dynamodb_system_errors=SeverityThresholds(None, None))
    assert [s.key for s in table_alarms(table, t)] == ["dynamodb-table-throttles-warning", "dynamodb-table-throttles-critical"]
