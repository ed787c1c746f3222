"""SQS, SNS, Step Functions, EventBridge and async-Lambda alarm factories."""

from __future__ import annotations

import dataclasses

import pytest

from components.observability.events.alarms import rule_alarms
from components.observability.lambda_.alarms import async_delivery_alarms, lambda_alarms
from components.observability.model import Severity, SeverityThresholds
from components.observability.refs import QueueRef, RuleRef, StateMachineRef, TopicRef
from components.observability.sns.alarms import topic_alarms
from components.observability.sqs.alarms import age_threshold_seconds, queue_alarms
from components.observability.stepfunctions.alarms import state_machine_alarms

from .conftest import only

QUEUE = QueueRef("platform-dev-orders-events", visibility_timeout_seconds=30, part="events")
DLQ = QueueRef("platform-dev-orders-events-dlq", visibility_timeout_seconds=30, is_dead_letter=True, part="events-dlq")
MACHINE = StateMachineRef(
    "platform-dev-fulfilment-workflow",
    "arn:aws:states:eu-west-1:123456789012:stateMachine:platform-dev-fulfilment-workflow",
    part="workflow",
)


def test_queue_age_is_percent_of_visibility_timeout(thresholds) -> None:
    assert age_threshold_seconds(30, 200) == 60
    specs = queue_alarms(QUEUE, thresholds)
    assert [(s.metric.metric_name, s.metric.stat, s.threshold) for s in specs] == [
        ("ApproximateAgeOfOldestMessage", "Maximum", 60.0),
        ("ApproximateAgeOfOldestMessage", "Maximum", 300.0),
    ]
    assert specs[0].metric.dimensions == (("QueueName", "platform-dev-orders-events"),)


def test_dead_letter_queue_depth_is_critical_at_one(thresholds) -> None:
    (spec,) = queue_alarms(DLQ, thresholds)
    assert spec.severity is Severity.CRITICAL
    assert (spec.metric.metric_name, spec.metric.stat, spec.threshold) == ("ApproximateNumberOfMessagesVisible", "Maximum", 1.0)
    assert spec.key == "sqs-events-dlq-dlq-depth-critical"


def test_sns_failed_notifications(thresholds) -> None:
    (spec,) = topic_alarms(TopicRef("platform-dev-orders-events", part="events"), thresholds)
    assert (spec.metric.namespace, spec.metric.metric_name, spec.metric.dimensions) == (
        "AWS/SNS", "NumberOfNotificationsFailed", (("TopicName", "platform-dev-orders-events"),))
    t = only(thresholds, sns_failed_notifications=SeverityThresholds(None, None))
    assert topic_alarms(TopicRef("t"), t) == []


def test_state_machine_alarms_use_arn_dimension(thresholds) -> None:
    specs = {s.key: s for s in state_machine_alarms(MACHINE, thresholds)}
    assert set(specs) == {"sfn-workflow-failed-warning", "sfn-workflow-failed-critical", "sfn-workflow-timed-out-critical",
                          "sfn-workflow-throttled-warning", "sfn-workflow-aborted-warning"}
    assert specs["sfn-workflow-failed-critical"].threshold == 5.0
    assert specs["sfn-workflow-timed-out-critical"].metric.metric_name == "ExecutionsTimedOut"
    assert specs["sfn-workflow-throttled-warning"].metric.metric_name == "ExecutionThrottled"
    assert specs["sfn-workflow-aborted-warning"].metric.metric_name == "ExecutionsAborted"
    assert all(s.metric.dimensions == (("StateMachineArn", MACHINE.state_machine_arn),) for s in specs.values())


def test_state_machine_duration_is_relative_to_its_timeout(thresholds) -> None:
    timed = dataclasses.replace(MACHINE, timeout_seconds=600)
    specs = {s.key: s for s in state_machine_alarms(timed, thresholds)}
    warning = specs["sfn-workflow-duration-warning"]
    assert (warning.metric.metric_name, warning.metric.stat) == ("ExecutionTime", "p99")
    assert warning.threshold == thresholds.sfn_duration_pct_of_timeout.warning * 600 * 1000 / 100
    assert specs["sfn-workflow-duration-critical"].threshold > warning.threshold


@pytest.mark.parametrize(
    ("bus", "dims"),
    [(None, (("RuleName", "r"),)), ("default", (("RuleName", "r"),)), ("orders", (("EventBusName", "orders"), ("RuleName", "r")))],
)
def test_eventbridge_rule_dimensions(thresholds, bus, dims) -> None:
    failed, throttled, lost = rule_alarms(RuleRef("r", event_bus_name=bus), thresholds)
    assert (failed.metric.metric_name, failed.severity) == ("FailedInvocations", Severity.CRITICAL)
    assert (throttled.metric.metric_name, throttled.severity) == ("ThrottledRules", Severity.WARNING)
    assert (lost.metric.metric_name, lost.severity) == ("InvocationsFailedToBeSentToDlq", Severity.CRITICAL)
    assert {spec.metric.dimensions for spec in (failed, throttled, lost)} == {dims}
    assert lost.threshold == throttled.threshold == 1.0


def test_async_lambda_lost_events_only_when_invoked_async(api_fn, thresholds) -> None:
    assert async_delivery_alarms(api_fn, thresholds) == []
    async_fn = dataclasses.replace(api_fn, invoked_async=True)
    (spec,) = async_delivery_alarms(async_fn, thresholds)
    assert {q.metric.metric_name for q in spec.queries if q.metric} == {
        "AsyncEventsDropped", "DeadLetterErrors", "DestinationDeliveryFailures"}
    assert spec.queries[-1].expression == "SUM([dropped, dlq_errors, destination_failures])"
    assert spec in lambda_alarms(async_fn, thresholds)
