"""Default alarms for a DynamoDB table (namespace AWS/DynamoDB).

Default set:
- throttles: ReadThrottleEvents + WriteThrottleEvents on the table and each GSI
  (dimension TableName, plus GlobalSecondaryIndexName). Chosen over
  ThrottledRequests because that metric needs an Operation dimension and only
  counts a batch when every item in it was throttled.
- system errors: SystemErrors needs an Operation dimension, so the common data
  plane operations are summed with metric math.

UserErrors is not alarmed: it has no TableName dimension (account and region
wide), so it cannot be attributed to one service.
"""

from __future__ import annotations

from components.observability._factory import fmt, metric, profile_window, severity_alarms
from components.observability.descriptions import ERRORS_QUERY
from components.observability.model import MAX_METRICS_PER_ALARM, AlarmSpec, MetricQuery
from components.observability.refs import TableRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/DynamoDB"

# Exactly the metric-math limit of 10 metrics per alarm.
SYSTEM_ERROR_OPERATIONS: tuple[str, ...] = (
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
)


def throttle_queries(table: TableRef, period: int, id_prefix: str = "", label: str = "Throttle events") -> tuple[MetricQuery, ...]:
    """Read and write throttle events of the table and its GSIs, summed into one series.

    ``id_prefix`` keeps ids unique when several tables share one widget.
    """
    targets: list[tuple[str, dict[str, str]]] = [("table", {"TableName": table.table_name})]
    for index, gsi in enumerate(table.global_secondary_indexes):
        targets.append((f"gsi{index}", {"TableName": table.table_name, "GlobalSecondaryIndexName": gsi}))
    if 2 * len(targets) > MAX_METRICS_PER_ALARM:
        raise ValueError(
            f"table {table.table_name} has {len(table.global_secondary_indexes)} GSIs; a throttle alarm can sum at "
            f"most {MAX_METRICS_PER_ALARM // 2 - 1} (CloudWatch allows {MAX_METRICS_PER_ALARM} metrics per alarm)"
        )
    queries: list[MetricQuery] = []
    for name, dims in targets:
        queries.append(MetricQuery(id=f"{id_prefix}reads_{name}", metric=metric(NAMESPACE, "ReadThrottleEvents", dims, "Sum", period)))
        queries.append(MetricQuery(id=f"{id_prefix}writes_{name}", metric=metric(NAMESPACE, "WriteThrottleEvents", dims, "Sum", period)))
    ids = ", ".join(q.id for q in queries)
    queries.append(MetricQuery(id=f"{id_prefix}throttles", expression=f"SUM([{ids}])", label=label, return_data=True))
    return tuple(queries)


def system_error_queries(table: TableRef, period: int) -> tuple[MetricQuery, ...]:
    queries = [
        MetricQuery(
            id=f"op_{op.lower()}",
            metric=metric(NAMESPACE, "SystemErrors", {"TableName": table.table_name, "Operation": op}, "Sum", period),
        )
        for op in SYSTEM_ERROR_OPERATIONS
    ]
    ids = ", ".join(q.id for q in queries)
    queries.append(MetricQuery(id="system_errors", expression=f"SUM([{ids}])", label="System errors", return_data=True))
    return tuple(queries)


def throttle_alarms(table: TableRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.dynamodb_throttles,
        ("dynamodb", table.key_part, "throttles"),
        window=profile_window(t),
        summary=lambda value: f"{table.table_name}: >= {fmt(value)} throttle events per {t.period_seconds}s",
        meaning=lambda _: (
            f"Reads or writes on {table.table_name} (or its indexes) exceeded capacity; the SDK retries, "
            "so callers slow down before they fail."
        ),
        check_first="consumed vs provisioned capacity on the dashboard (on-demand tables throttle on sudden "
        "2x peaks or hot partition keys), then CloudWatch Contributor Insights for hot keys.",
        queries=throttle_queries(table, t.period_seconds),
    )


def system_error_alarms(table: TableRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.dynamodb_system_errors,
        ("dynamodb", table.key_part, "system-errors"),
        window=profile_window(t),
        summary=lambda value: f"{table.table_name}: >= {fmt(value)} system errors per {t.period_seconds}s",
        meaning=lambda _: (
            f"DynamoDB returned HTTP 500 to requests on {table.table_name}; this is on the AWS side "
            "and the SDK retries, but persistent errors surface as failed requests."
        ),
        check_first="the AWS Health Dashboard for DynamoDB in this region, then the calling functions' errors "
        f"with Logs Insights: {ERRORS_QUERY}",
        queries=system_error_queries(table, t.period_seconds),
    )


def table_alarms(table: TableRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for one table."""
    return [*throttle_alarms(table, t), *system_error_alarms(table, t)]
