"""InternalFunction and what every function shares: async invocation with destinations, and both branches of the
low-traffic alarm semantics."""
from __future__ import annotations

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.function import AsyncInvocation, FunctionArgs
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.topic import TopicArgs
from tests.component.harness import Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, policy, section_titles



@in_catalog
def declare(platform):
    failures = platform.add("failures", TopicArgs())
    done = platform.add("done", QueueWorkerArgs(handler="h.done.handler"))
    pricing = platform.add("pricing", InternalFunctionArgs(handler="h.pricing.handler", memory_mb=1024, timeout_seconds=5,
                                                 reserved_concurrency=8))
    platform.add("handoff", InternalFunctionArgs(
        handler="h.handoff.handler", low_traffic=True,
        async_invocation=AsyncInvocation(max_retries=0, max_event_age_seconds=120)))
    platform.add("relay", InternalFunctionArgs(
        handler="h.relay.handler",
        async_invocation=AsyncInvocation(max_retries=1, on_failure=failures.arn, on_success=done.queue.arn),
        access=[failures.publish_access("FAILURES_TOPIC_ARN")]))
    platform.add("quoter", InternalFunctionArgs(handler="h.quote.handler",
                                                access=[pricing.invoke_access("PRICING_FUNCTION")]))


@pytest.fixture(scope="module")
def functions() -> Run:
    return catalog()


def test_async_invocation_without_a_destination_keeps_failed_events_in_its_own_queue(functions):
    config = functions.view.get("handoff-function-async").inputs
    assert config["functionName"] == "platform-dev-handoff-function"
    assert (config["maximumRetryAttempts"], config["maximumEventAgeInSeconds"]) == (0, 120)
    assert config["destinationConfig"] == {"onFailure": {"destination": arn("sqs", "platform-dev-handoff-function-failed")}}
    queue = functions.view.get("handoff-function-failed").inputs
    assert queue["messageRetentionSeconds"] == 14 * 24 * 3600 and queue["kmsMasterKeyId"].startswith("arn:aws:kms:")
    statements = policy(functions.view, "handoff-function-policy")
    assert statements["DeliverAsyncResults"]["Resource"] == arn("sqs", "platform-dev-handoff-function-failed")
    assert statements["UseStackKeyViaSqs"]["Condition"]["StringEquals"]["kms:ViaService"] == [
        "sqs.eu-west-1.amazonaws.com"]
    depth = alarms(functions.view, "handoff")["platform-dev-handoff-sqs-function-failed-dlq-depth-critical"]
    assert (depth["dimensions"], depth["threshold"]) == ({"QueueName": "platform-dev-handoff-function-failed"}, 1)
    assert "SQS dead-letter queue platform-dev-handoff-function-failed" in section_titles(functions.view, "handoff")


def test_async_invocation_delivers_to_the_declared_destinations_with_the_functions_own_role(functions):
    config = functions.view.get("relay-function-async").inputs
    assert config["destinationConfig"] == {
        "onFailure": {"destination": arn("sns", "platform-dev-failures-topic")},
        "onSuccess": {"destination": arn("sqs", "platform-dev-done-queue")}}
    assert config["maximumEventAgeInSeconds"] == 6 * 3600
    statements = policy(functions.view, "relay-function-policy")
    assert statements["DeliverAsyncResults"] == {
        "Sid": "DeliverAsyncResults", "Effect": "Allow", "Action": ["sns:Publish", "sqs:SendMessage"],
        "Resource": sorted([arn("sns", "platform-dev-failures-topic"), arn("sqs", "platform-dev-done-queue")])}
    assert not [r for r in functions.view.resources if r.name == "relay-function-failed"]


def test_async_functions_alarm_on_dropped_events_and_failed_deliveries(functions):
    for service in ("handoff", "relay"):
        lost = alarms(functions.view, service)[f"platform-dev-{service}-lambda-function-async-lost-critical"]
        metrics = {q["metric"]["metricName"] for q in lost["metricQueries"] if q.get("metric")}
        assert metrics == {"AsyncEventsDropped", "DeadLetterErrors", "DestinationDeliveryFailures"}
        assert (lost["threshold"], lost["evaluationPeriods"], lost["tags"]["platform:severity"]) == (1, 1, "critical")
    assert "lambda-function-async-lost-critical" not in alarm_keys(functions.view, "pricing")


def test_low_traffic_function_alarms_on_any_single_error(functions):
    keys = {k for k in alarm_keys(functions.view, "handoff") if "-errors-" in k}
    assert keys == {"lambda-function-errors-critical"}
    alarm = alarms(functions.view, "handoff")["platform-dev-handoff-lambda-function-errors-critical"]
    assert (alarm["metricName"], alarm["statistic"], alarm["period"], alarm["threshold"]) == ("Errors", "Sum", 300, 1)
    assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (1, 1) and "metricQueries" not in alarm


def test_regular_function_alarms_on_an_error_rate_guarded_by_the_profiles_minimum_traffic(functions):
    by_name = alarms(functions.view, "pricing")
    for severity, threshold in (("warning", 2), ("critical", 8)):
        alarm = by_name[f"platform-dev-pricing-lambda-function-errors-{severity}"]
        queries = {q["id"]: q for q in alarm["metricQueries"]}
        assert queries["error_rate"]["expression"] == "IF(invocations >= 25, 100 * errors / invocations, 0)"
        assert queries["error_rate"]["returnData"] is True
        assert queries["invocations"]["metric"]["metricName"] == "Invocations"
        assert alarm["threshold"] == threshold


def test_function_size_reservation_and_its_concurrency_alarm_follow_the_declaration(functions):
    fn = functions.view.get("pricing-function-function").inputs
    assert (fn["memorySize"], fn["timeout"], fn["reservedConcurrentExecutions"]) == (1024, 5, 8)
    assert (fn["runtime"], fn["architectures"], fn["tracingConfig"]) == ("python3.12", ["arm64"], {"mode": "Active"})
    by_name = alarms(functions.view, "pricing")
    assert by_name["platform-dev-pricing-lambda-function-concurrency-warning"]["threshold"] == 0.9 * 8
    assert by_name["platform-dev-pricing-lambda-function-duration-warning"]["threshold"] == 0.6 * 5000
    assert "lambda-function-concurrency-warning" not in alarm_keys(functions.view, "handoff")


def test_invoke_access_is_invoke_on_this_function_only(functions):
    statements = policy(functions.view, "quoter-function-policy")
    assert statements["InvokeFunctionFunction"] == {
        "Sid": "InvokeFunctionFunction", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
        "Resource": arn("lambda", "function:platform-dev-pricing-function")}
    env = functions.view.get("quoter-function-function").inputs["environment"]["variables"]
    assert env["PRICING_FUNCTION"] == "platform-dev-pricing-function"
    assert functions.view.outputs["services"]["pricing"]["functionName"] == "platform-dev-pricing-function"


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


@hypothesis_settings(max_examples=150, deadline=None)
@given(retries=st.integers(-3, 10), age=st.integers(0, 30000))
def test_async_invocation_stays_within_lambdas_limits(retries, age):
    problems = InternalFunctionArgs(handler="h.app.handler", async_invocation=AsyncInvocation(
        max_retries=retries, max_event_age_seconds=age)).problems(CORE)
    assert any(p.startswith("async_invocation.max_retries") for p in problems) == (not 0 <= retries <= 2)
    assert any(p.startswith("async_invocation.max_event_age_seconds") for p in problems) == (not 60 <= age <= 21600)


@hypothesis_settings(max_examples=75, deadline=None)
@given(handler=st.one_of(st.text(max_size=30), st.from_regex(r"[a-z_]{1,8}(\.[a-z_]{1,8}){1,3}", fullmatch=True)))
def test_a_handler_is_a_dotted_python_path(handler):
    problems = FunctionArgs(handler=handler).problems()
    parts = handler.split(".")
    valid = len(parts) >= 2 and all(p.isidentifier() for p in parts)
    assert any(p.startswith("handler") for p in problems) == (not valid)


@pytest.mark.parametrize("args, argument", [
    ({"memory_mb": 127}, "memory_mb = 127"), ({"memory_mb": 10241}, "memory_mb = 10241"),
    ({"timeout_seconds": 901}, "timeout_seconds = 901"), ({"timeout_seconds": 0}, "timeout_seconds = 0"),
    ({"reserved_concurrency": -2}, "reserved_concurrency = -2"),
    ({"secrets": {"api-key": "x"}}, "secrets: 'api-key'"),
])
def test_each_bad_argument_is_named(args, argument):
    problems = InternalFunctionArgs(handler="h.app.handler", **args).problems(CORE)
    assert any(p.startswith(argument) for p in problems), problems
