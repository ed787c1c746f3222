"""The platform-aware helpers, on the reference stacks: each answer is checked against the resources it
is derived from, so a helper cannot agree with itself by construction."""
from __future__ import annotations

import json

import pytest

from components.testing import KitAssertionError

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


# -- alarms ------------------------------------------------------------------------------------------------------
def test_a_services_alarms_carry_their_severity_and_the_topic_of_that_severity(dev_stack):
    topics = dev_stack.alarm_topics()
    assert set(topics) == {"warning", "critical"}
    alarms = dev_stack.alarms_of("orders")
    metric = [a for a in alarms if not a.composite]
    assert metric and {a.severity for a in metric} == {"warning", "critical"}
    for alarm in metric:
        assert alarm.inputs["tags"]["platform:service"] == "orders" and alarm.service == "orders"
        assert alarm.actions == (topics[alarm.severity],) and alarm.routes == (alarm.severity,)
        assert alarm.ok_actions == alarm.actions
    tagged = {a.inputs["name"] for a in dev_stack.of_type(ALARM) if a.inputs["tags"]["platform:service"] == "orders"}
    assert {a.name for a in metric} == tagged


def test_severity_and_composite_filters_and_the_health_alarm(dev_stack):
    critical = dev_stack.alarms_of("orders", severity="critical")
    assert critical and all(a.severity == "critical" for a in critical)
    (health,) = dev_stack.alarms_of("orders", composite=True)
    assert health == dev_stack.health_alarm("orders") and health.composite
    assert health.name == dev_stack.service("orders")["healthAlarm"] and health.routes == ("warning",)
    assert all(f'ALARM("{a.name}")' in health.inputs["alarmRule"] for a in dev_stack.alarms_of("orders", composite=False))


def test_an_alarm_reads_its_metrics_whether_single_or_metric_math(dev_stack):
    throttles = dev_stack.alarm("platform-dev-orders-lambda-api-throttles-warning")
    assert throttles.metrics == ("AWS/Lambda/Throttles",) and throttles.threshold == throttles.inputs["threshold"]
    rate = dev_stack.alarm("platform-dev-orders-api-api-4xx-warning")
    assert rate.metrics == ("AWS/ApiGateway/Count", "AWS/ApiGateway/4XXError")


def test_alarms_of_an_unknown_service_name_the_services(dev_stack):
    with pytest.raises(KitAssertionError, match=r"no service 'order'; the services are \[.*'orders'"):
        dev_stack.alarms_of("order")
    with pytest.raises(KitAssertionError, match="no alarm is named 'nope'"):
        dev_stack.alarm("nope")


# -- log shipping ----------------------------------------------------------------------------------------------------
def test_log_shipping_follows_the_subscription_to_the_environments_destination(dev_stack, prod_stack):
    group = "/platform/dev/orders/lambda-api"
    shipping = dev_stack.log_shipping(group)
    assert shipping.destination == "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-log-shipping-shipper"
    assert shipping.subscription.inputs["logGroup"] == group and shipping.role_arn is None
    prod = prod_stack.log_shipping("/platform/prod/orders/lambda-api")
    assert prod.destination.endswith(":stream/platform-prod-log-shipping-stream") and prod.role_arn
    assert dev_stack.is_shipped(group)
    assert not dev_stack.is_shipped("/platform/dev/log-shipping/lambda-shipper")  # shipping it would loop


def test_the_log_groups_of_a_service_and_a_group_that_does_not_exist(dev_stack):
    assert "/platform/dev/orders/lambda-api" in dev_stack.log_groups_of("orders")
    assert all(dev_stack.is_shipped(group) for group in dev_stack.log_groups_of("orders"))
    with pytest.raises(KitAssertionError, match="no log group is named '/platform/dev/nothing'"):
        dev_stack.is_shipped("/platform/dev/nothing")


# -- IAM --------------------------------------------------------------------------------------------------------------
def test_a_functions_permissions_are_its_roles_policy_statements(dev_stack):
    by_logical = dev_stack.permissions_of("orders-api-function")
    assert dev_stack.permissions_of("platform-dev-orders-api") == by_logical  # the physical name
    policy = json.loads(dev_stack.get("orders-api-policy").inputs["policy"])
    assert [s.sid for s in by_logical.statements] == [s["Sid"] for s in policy["Statement"]]
    assert by_logical.role == "platform-dev-orders-api" and by_logical.managed_policies == ()
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/platform-dev-orders-table"
    assert table in by_logical.actions["dynamodb:PutItem"]
    assert by_logical.allows("dynamodb:PutItem", table) and by_logical.allows("DynamoDB:putitem", table)
    assert not by_logical.allows("dynamodb:DeleteTable", table)
    assert not by_logical.allows("dynamodb:PutItem", table.replace("orders-table", "menu-table"))
    assert by_logical.allows("xray:PutTraceSegments")        # X-Ray has no resource-level permissions
    assert not by_logical.allows("dynamodb:PutItem")         # not on every table
    assert by_logical.statement("WriteTraces").resources == ("*",)


def test_a_role_is_found_by_name_or_arn_and_lists_its_managed_policies(dev_stack):
    apigw = dev_stack.permissions_of("platform-dev-apigw-logs")
    assert apigw.managed_policies == ("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",)
    assert dev_stack.permissions_of("arn:aws:iam::123456789012:role/platform-dev-apigw-logs") == apigw


def test_permissions_of_something_else_say_what_they_need(dev_stack):
    with pytest.raises(KitAssertionError, match="'orders' names 0 functions and 0 roles"):
        dev_stack.permissions_of("orders")
    with pytest.raises(KitAssertionError, match="no statement 'Nope'"):
        dev_stack.permissions_of("orders-api-function").statement("Nope")


# -- dashboards -------------------------------------------------------------------------------------------------------
def test_a_services_dashboard_widgets_are_its_deployed_body(dev_stack):
    board = dev_stack.dashboard_of("orders")
    assert board.name == dev_stack.service("orders")["dashboard"]
    body = json.loads(board.resource.inputs["dashboardBody"])
    widgets = dev_stack.dashboard_widgets("orders")
    assert [(w.type, w.x, w.y, w.width, w.height, w.properties) for w in widgets] == [
        (w["type"], w["x"], w["y"], w["width"], w["height"], w["properties"]) for w in body["widgets"]]
    graphs = [w for w in widgets if w.type == "metric"]
    assert "AWS/Lambda/Errors" in {m for w in graphs for m in w.metrics}
    assert any(w.markdown and w.markdown.startswith("## ") for w in widgets)
    assert all(w.title for w in graphs)
    with pytest.raises(KitAssertionError, match="no dashboard is named 'x'"):
        dev_stack.dashboard("x")
