"""EventRoute: a bus and rules whose every target retries, then keeps what it could not deliver."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.event_route import (EventRouteArgs, FunctionTarget, InputTransformer, QueueTarget, Rule,
                                             WorkflowTarget)
from components.services.function import AsyncInvocation, FunctionArgs, FunctionSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.workflow import WorkflowArgs
from tests.component.harness import (Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, inputs, policy,
                                     section_titles)

FLOW = {"StartAt": "Go", "TimeoutSeconds": 60,
        "States": {"Go": {"Type": "Task", "Resource": "${function:go}", "End": True}}}
PLACED = {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}
PAID = {"source": ["shop.payments"], "detail": {"status": ["paid"]}}


@in_catalog
def declare(platform):
    flow = platform.add("flow", WorkflowArgs(definition=FLOW, tasks={"go": FunctionArgs(handler="h.go.handler")}))
    sink = platform.add("sink", InternalFunctionArgs(handler="h.sink.handler", async_invocation=AsyncInvocation()))
    inbox = platform.add("inbox", QueueWorkerArgs(handler="h.inbox.handler"))
    router = platform.add("router", EventRouteArgs(description="Shop events", rules=[
        Rule("placed", PLACED, targets=[
            WorkflowTarget(name="flow", workflow=flow, input_transformer=InputTransformer({"order": "$.detail"},
                                                                                           '{"order": <order>}')),
            FunctionTarget(name="sink", function=sink.function, max_retries=3, max_event_age_seconds=600)]),
        Rule("paid", PAID, targets=[QueueTarget(name="inbox", worker=inbox)], description="Paid orders")]))
    platform.add("logins", EventRouteArgs(bus="default", rules=[
        Rule("signin", {"source": ["aws.signin"]}, targets=[FunctionTarget(name="sink", function=sink.function)])]))
    platform.add("publisher", InternalFunctionArgs(handler="h.publisher.handler",
                                                   access=[router.put_access("EVENT_BUS_NAME")]))


@pytest.fixture(scope="module")
def routes() -> Run:
    return catalog()



def test_custom_bus_is_encrypted_and_rules_match_their_pattern_on_it(routes):
    bus = inputs(routes, "router-bus")
    assert bus["name"] == "platform-dev-router-bus" and bus["description"] == "Shop events"
    assert bus["kmsKeyIdentifier"].startswith("arn:aws:kms:eu-west-1:")
    rule = inputs(routes, "router-placed-rule")
    assert (rule["name"], rule["eventBusName"]) == ("platform-dev-router-placed", "platform-dev-router-bus")
    assert json.loads(rule["eventPattern"]) == PLACED
    assert inputs(routes, "router-paid-rule")["description"] == "Paid orders"
    default = inputs(routes, "logins-signin-rule")
    assert "eventBusName" not in default and default["name"] == "platform-dev-logins-signin"
    assert routes.view.outputs["services"]["logins"]["eventBusName"] == "default"
    assert routes.view.outputs["services"]["router"]["eventBusName"] == "platform-dev-router-bus"


def test_every_target_retries_then_keeps_failed_events_in_a_dlq_of_its_own(routes):
    for logical, retries, age in (("router-placed-flow", 185, 86400), ("router-placed-sink", 3, 600),
                                  ("router-paid-inbox", 185, 86400), ("logins-signin-sink", 185, 86400)):
        target = inputs(routes, logical)
        assert target["retryPolicy"] == {"maximumRetryAttempts": retries, "maximumEventAgeInSeconds": age}
        dlq = f"platform-dev-{logical}-dlq"
        assert target["deadLetterConfig"] == {"arn": arn("sqs", dlq)}
        (statement,) = json.loads(inputs(routes, f"{logical}-dlq-policy")["policy"])["Statement"]
        rule = logical.rsplit("-", 1)[0].split("-", 1)
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        assert statement["Resource"] == arn("sqs", dlq)
        bus = "rule/platform-dev-router-bus/" if rule[0] == "router" else "rule/"
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": arn(
            "events", f"{bus}platform-dev-{rule[0]}-{rule[1]}")}}


def test_workflow_targets_start_executions_with_a_role_that_may_start_only_them(routes):
    target = inputs(routes, "router-placed-flow")
    machine = arn("states", "stateMachine:platform-dev-flow-workflow")
    assert (target["arn"], target["targetId"], target["eventBusName"]) == (machine, "flow", "platform-dev-router-bus")
    assert target["inputTransformer"] == {"inputPaths": {"order": "$.detail"}, "inputTemplate": '{"order": <order>}'}
    assert target["roleArn"] == "arn:aws:iam::123456789012:role/platform-dev-router-delivery"
    trust = json.loads(inputs(routes, "router-delivery")["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]
    assert policy(routes.view, "router-delivery-policy") == {"StartWorkflows": {
        "Sid": "StartWorkflows", "Effect": "Allow", "Action": ["states:StartExecution"], "Resource": machine}}


def test_function_and_queue_targets_are_admitted_for_their_rule_only(routes):
    sink = inputs(routes, "router-placed-sink")
    assert sink["arn"] == arn("lambda", "function:platform-dev-sink-function") and "roleArn" not in sink
    permission = inputs(routes, "router-placed-sink-invoke")
    assert (permission["principal"], permission["sourceArn"]) == (
        "events.amazonaws.com", arn("events", "rule/platform-dev-router-bus/platform-dev-router-placed"))
    queue = inputs(routes, "router-paid-inbox")
    assert queue["arn"] == arn("sqs", "platform-dev-inbox-queue") and "roleArn" not in queue
    (statement,) = json.loads(inputs(routes, "router-paid-inbox-queue-policy")["policy"])["Statement"]
    assert statement["Resource"] == arn("sqs", "platform-dev-inbox-queue")
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == arn(
        "events", "rule/platform-dev-router-bus/platform-dev-router-paid")


def test_put_access_is_put_events_on_this_bus_only(routes):
    assert policy(routes.view, "publisher-function-policy")["PutEventsRouter"] == {
        "Sid": "PutEventsRouter", "Effect": "Allow", "Action": ["events:PutEvents"],
        "Resource": arn("events", "event-bus/platform-dev-router-bus")}
    env = inputs(routes, "publisher-function-function")["environment"]["variables"]
    assert env["EVENT_BUS_NAME"] == "platform-dev-router-bus"


def test_alarm_set_per_rule_failed_throttled_lost_and_dlq_depth_per_target(routes):
    assert alarm_keys(routes.view, "router") == {
        *(f"events-{rule}-{kind}" for rule in ("placed", "paid")
          for kind in ("failed-warning", "failed-critical", "throttled-warning", "dlq-failed-critical")),
        "sqs-placed-flow-dlq-dlq-depth-critical", "sqs-placed-sink-dlq-dlq-depth-critical",
        "sqs-paid-inbox-dlq-dlq-depth-critical"}
    by_name = alarms(routes.view, "router")
    custom = {"EventBusName": "platform-dev-router-bus", "RuleName": "platform-dev-router-placed"}
    for severity, threshold in (("warning", 1), ("critical", 3)):
        failed = by_name[f"platform-dev-router-events-placed-failed-{severity}"]
        assert (failed["metricName"], failed["dimensions"], failed["threshold"], failed["evaluationPeriods"]) == (
            "FailedInvocations", custom, threshold, 1)
    assert by_name["platform-dev-router-events-placed-throttled-warning"]["metricName"] == "ThrottledRules"
    assert by_name["platform-dev-router-events-placed-dlq-failed-critical"]["metricName"] == \
        "InvocationsFailedToBeSentToDlq"
    default = alarms(routes.view, "logins")["platform-dev-logins-events-signin-failed-critical"]
    assert default["dimensions"] == {"RuleName": "platform-dev-logins-signin"}


def test_dashboard_has_a_section_per_rule_and_dlq(routes):
    assert section_titles(routes.view, "router") == [
        "SQS dead-letter queue platform-dev-router-placed-flow-dlq",
        "SQS dead-letter queue platform-dev-router-placed-sink-dlq",
        "SQS dead-letter queue platform-dev-router-paid-inbox-dlq",
        "EventBridge rule platform-dev-router-placed", "EventBridge rule platform-dev-router-paid"]


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()
NAME = r"[a-z][a-z0-9-]*"


class Function:
    def __init__(self, service: str, async_invocation: AsyncInvocation | None = AsyncInvocation()) -> None:
        self.spec = FunctionSpec(service=service, part="function", handler="h.app.handler", description="",
                                 async_invocation=async_invocation)
        self.arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{service}"


class Worker:
    def __init__(self, service: str, fifo: bool = False, subscribed_to: str | None = None) -> None:
        self.service, self.fifo, self.subscribed_to, self.queue = service, fifo, subscribed_to, object()


def problems_of(*rules: Rule, **args) -> list[str]:
    return EventRouteArgs(rules=list(rules), **args).problems(CORE)


def rule(name: str = "r", pattern=None, targets=None) -> Rule:
    return Rule(name, {"source": ["a"]} if pattern is None else pattern,
                [FunctionTarget(name="t", function=Function("f"))] if targets is None else targets)


@hypothesis_settings(max_examples=150, deadline=None)
@given(rule_name=st.one_of(st.from_regex(NAME, fullmatch=True).filter(lambda n: len(n) < 30), st.text(max_size=10),
                          st.just("placed\n")),
       target_name=st.one_of(st.from_regex(NAME, fullmatch=True).filter(lambda n: len(n) < 30), st.text(max_size=10),
                            st.just("sink\n")))
def test_rule_and_target_names_follow_the_naming_rules(rule_name, target_name):
    import re
    problems = problems_of(rule(rule_name, targets=[FunctionTarget(name=target_name, function=Function("f"))]))
    assert any(p == f"rule {rule_name}: name must be lowercase letters, digits and '-'" for p in problems) == (
        re.fullmatch(NAME, rule_name) is None)
    assert any(f"target name {target_name!r} must be" in p for p in problems) == (
        re.fullmatch(NAME, target_name) is None)


@hypothesis_settings(max_examples=100, deadline=None)
@given(retries=st.integers(-5, 400), age=st.integers(0, 200000))
def test_retry_policy_stays_within_eventbridge_limits(retries, age):
    problems = problems_of(rule(targets=[FunctionTarget(name="t", function=Function("f"), max_retries=retries,
                                                        max_event_age_seconds=age)]))
    assert any("max_retries" in p for p in problems) == (not 0 <= retries <= 185)
    assert any("max_event_age_seconds" in p for p in problems) == (not 60 <= age <= 86400)


@pytest.mark.parametrize("args, rules, expected", [
    ({"bus": "shared"}, [rule()], "bus = 'shared': 'custom' or 'default'"),
    ({}, [], "rules: at least one rule"),
    ({}, [rule("a"), rule("a")], "rules: names ['a', 'a'] must be distinct"),
    ({}, [rule(pattern={})], "rule r: event_pattern must be a non-empty mapping"),
    ({}, [rule(pattern={"source": "shop"})], "rule r: event_pattern['source'] must be a non-empty list"),
    ({}, [rule(pattern={"detail": {"status": "paid"}})], "rule r detail: event_pattern['status']"),
    ({}, [rule(targets=[])], "rule r: 1 to 5 targets"),
    ({}, [rule(targets=[FunctionTarget(name=f"t{i}", function=Function("f")) for i in range(6)])],
     "rule r: 1 to 5 targets"),
    ({}, [rule(targets=[FunctionTarget(name="t", function=Function("f"))] * 2)],
     "rule r: target names ['t', 't'] must be distinct"),
    ({}, [rule(targets=[QueueTarget(name="q", worker=Worker("w", fifo=True))])],
     "rule r target q: needs a standard QueueWorker whose queue takes no topic"),
    ({}, [rule(targets=[QueueTarget(name="q", worker=Worker("w", subscribed_to="topic"))])],
     "rule r target q: needs a standard QueueWorker whose queue takes no topic"),
    ({}, [rule(targets=[QueueTarget(name="q")])], "rule r target q: needs a standard QueueWorker"),
    ({}, [rule(targets=[WorkflowTarget(name="w")])], "rule r target w: WorkflowTarget takes a Workflow"),
    ({}, [rule(targets=[FunctionTarget(name="f")])], "rule r target f: FunctionTarget takes a function"),
    ({}, [rule(targets=[FunctionTarget(name="f", function=Worker("svc"))])],
     "rule r target f: FunctionTarget takes a function"),
    ({}, [rule(targets=[FunctionTarget(name="f", function=Function("svc", async_invocation=None))])],
     "rule r target f: EventBridge invokes functions asynchronously; give svc's function async_invocation"),
])
def test_each_bad_argument_is_named(args, rules, expected):
    problems = problems_of(*rules, **args)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_queue_is_the_target_of_one_rule_only_because_it_takes_one_policy():
    worker = Worker("inbox")
    problems = problems_of(rule("a", targets=[QueueTarget(name="q", worker=worker)]),
                           rule("b", targets=[QueueTarget(name="q", worker=worker)]))
    assert problems == ["rule b target q: the queue of inbox is already the target of rule a target q; a queue has "
                        "one policy, so one target may send to it"]
    twice = problems_of(rule("a", targets=[QueueTarget(name="q", worker=worker), QueueTarget(name="p", worker=worker)]))
    assert twice == ["rule a target p: the queue of inbox is already the target of rule a target q; a queue has one "
                     "policy, so one target may send to it"]
