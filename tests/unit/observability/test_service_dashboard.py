from __future__ import annotations

import dataclasses
import json

from components.observability.dashboard.layout import MAX_WIDGETS, render_dashboard_body, validate_dashboard_body
from components.observability.dashboard.service_dashboard import service_dashboard_body
from components.observability.refs import LambdaRef, ServiceView

ARNS = [f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:platform-dev-orders-a{i}" for i in range(3)]


def _metric_names(body) -> set[str]:
    names = set()
    for w in body["widgets"]:
        if w["type"] == "metric":
            for row in w["properties"]["metrics"]:
                if isinstance(row[0], str):
                    names.add(row[1])
    return names


def test_service_dashboard_is_valid_and_complete(view) -> None:
    body = service_dashboard_body(view, ARNS)
    validate_dashboard_body(body)
    types = [w["type"] for w in body["widgets"]]
    assert types[0] == "text" and "alarm" in types and types.count("log") == 3
    header = body["widgets"][0]["properties"]["markdown"]
    for needle in ("lambda/home", "apigateway", "dynamodbv2", "xray:service-map", "logs-insights", "_dashboards", "platform-dev-orders"):
        assert needle in header
    assert {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions", "IteratorAge", "Count", "5XXError",
            "4XXError", "Latency", "IntegrationLatency", "SuccessfulRequestLatency", "ConsumedReadCapacityUnits",
            "ReadThrottleEvents", "SystemErrors"} <= _metric_names(body)
    assert all(w["properties"]["region"] == "eu-west-1" for w in body["widgets"] if w["type"] in ("metric", "log"))


def test_timeout_and_reserved_concurrency_annotations(view) -> None:
    body = service_dashboard_body(view, ARNS)
    annotated = {w["properties"]["title"]: w["properties"]["annotations"]["horizontal"][0]["value"]
                 for w in body["widgets"] if "annotations" in w.get("properties", {})}
    assert annotated["platform-dev-orders-api: duration"] == 10_000
    assert annotated["platform-dev-orders-api: concurrency"] == 50
    assert "platform-dev-orders-worker: concurrency" not in annotated


def test_logs_widgets_query_errors_access_5xx_and_report_lines(view) -> None:
    logs = {w["properties"]["title"]: w["properties"]["query"] for w in service_dashboard_body(view, ARNS)["widgets"] if w["type"] == "log"}
    errors = logs["orders: recent errors"]
    assert 'filter level = "ERROR"' in errors and "fields @timestamp, level, message, request_id, trace_id" in errors
    assert errors.startswith("SOURCE '/platform/dev/orders/lambda-api' | SOURCE '/platform/dev/orders/lambda-worker' |")
    access = logs["orders: recent 5XX requests"]
    assert access.startswith("SOURCE '/platform/dev/orders/api-access' |") and "filter status >= 500" in access
    report = logs["orders: invocations, cold starts, memory"]
    assert 'filter @type = "REPORT"' in report and "@maxMemoryUsed" in report and "Init Duration" in report
    assert "api-access" not in report


def test_dashboard_is_deterministic(view) -> None:
    assert render_dashboard_body(service_dashboard_body(view, ARNS)) == render_dashboard_body(service_dashboard_body(view, ARNS))


def test_many_alarms_split_into_widgets_of_100(view) -> None:
    body = service_dashboard_body(view, [f"arn:{i}" for i in range(250)])
    alarm_widgets = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert [len(w["properties"]["alarms"]) for w in alarm_widgets] == [100, 100, 50]


def test_large_service_stays_within_limits(view) -> None:
    lambdas = tuple(
        LambdaRef(f"platform-dev-big-fn{i}", 30, f"/platform/dev/big/fn{i}", part=f"fn{i}") for i in range(60)
    )
    body = service_dashboard_body(dataclasses.replace(view, lambdas=lambdas), ARNS)
    assert len(body["widgets"]) <= MAX_WIDGETS
    json.dumps(body)


def test_service_without_resources_still_valid() -> None:
    body = service_dashboard_body(ServiceView("empty", "dev", "eu-west-1", "123456789012"), [])
    validate_dashboard_body(body)
    assert [w["type"] for w in body["widgets"]] == ["text"]


def test_event_driven_resources_get_sections(view) -> None:
    from components.observability.refs import QueueRef, RuleRef, StateMachineRef, TopicRef

    rich = dataclasses.replace(
        view,
        queues=(QueueRef("platform-dev-orders-q", 45), QueueRef("platform-dev-orders-dlq", 45, is_dead_letter=True)),
        topics=(TopicRef("platform-dev-orders-topic"),),
        state_machines=(StateMachineRef("wf", "arn:aws:states:eu-west-1:123456789012:stateMachine:wf"),),
        rules=(RuleRef("platform-dev-report-schedule"),),
    )
    body = service_dashboard_body(rich, ARNS)
    markdown = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    assert "## SQS dead-letter queue platform-dev-orders-dlq" in markdown
    assert {"ApproximateAgeOfOldestMessage", "NumberOfNotificationsFailed", "ExecutionsFailed", "FailedInvocations"} <= _metric_names(body)
    ages = [w for w in body["widgets"] if w.get("properties", {}).get("title") == "platform-dev-orders-q: oldest message age (s)"]
    assert ages[0]["properties"]["annotations"]["horizontal"][0]["value"] == 45


def test_log_groups_deduplicated_in_declaration_order(view) -> None:
    dup = dataclasses.replace(view, lambdas=view.lambdas + (dataclasses.replace(view.lambdas[0], part="again"),))
    assert dup.log_group_names == (
        "/platform/dev/orders/lambda-api", "/platform/dev/orders/lambda-worker", "/platform/dev/orders/api-access")
