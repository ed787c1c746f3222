"""Dashboard widgets for a DynamoDB table."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics, metric
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.dynamodb.alarms import NAMESPACE, system_error_queries, throttle_queries
from components.observability.model import MetricQuery
from components.observability.refs import TableRef

LATENCY_OPERATIONS: tuple[str, ...] = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan")


def table_widgets(table: TableRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Latency by operation, consumed capacity, throttle events, system errors."""
    name = table.table_name
    m = ResourceMetrics(NAMESPACE, {"TableName": name}, period)
    latency = [
        MetricQuery(
            id=f"latency_{op.lower()}",
            metric=metric(NAMESPACE, "SuccessfulRequestLatency", {"TableName": name, "Operation": op}, "Average", period),
            label=op,
        )
        for op in LATENCY_OPERATIONS
    ]
    return [
        metric_widget(f"{name}: latency by operation", latency, region, stat="Average", period=period, width=6,
                      y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}}),
        metric_widget(
            f"{name}: consumed capacity",
            [
                m.query("rcu", "ConsumedReadCapacityUnits", "Sum", "Read units"),
                m.query("wcu", "ConsumedWriteCapacityUnits", "Sum", "Write units"),
            ],
            region,
            stat="Sum",
            period=period,
            width=6,
        ),
        metric_widget(f"{name}: throttle events", list(throttle_queries(table, period)), region, stat="Sum", period=period, width=6),
        metric_widget(f"{name}: system errors", list(system_error_queries(table, period)), region, stat="Sum", period=period, width=6),
    ]
