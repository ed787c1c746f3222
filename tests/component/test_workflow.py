"""Workflow: a Step Functions state machine whose role may call exactly the functions and topics its states name."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.function import FunctionArgs
from components.services.http_service import TableSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.topic import TopicArgs
from components.services.workflow import LOG_DELIVERY_ACTIONS, WorkflowArgs
from components.services.workflow_plan import MAX_TIMEOUT_SECONDS, placeholders, substitute
from tests.component.harness import Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, policy, section_titles


def task(name: str, next_state: str | None = None, catch: str | None = None) -> dict:
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": f"${{function:{name}}}", "Payload.$": "$"}}
    state.update({"Next": next_state} if next_state else {"End": True})
    if catch:
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": catch}]
    return state


SAGA = {
    "StartAt": "Reserve", "TimeoutSeconds": 300,
    "States": {
        "Reserve": task("reserve", "Charge"),
        "Charge": task("charge_card", "Tell", catch="Release"),
        "Tell": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                 "Parameters": {"TopicArn": "${topic:notices}", "Message.$": "$"}, "End": True},
        "Release": task("release", "Failed"),
        "Failed": {"Type": "Fail", "Error": "ChargeFailed"},
    },
}


@in_catalog
def declare(platform):
    notices = platform.add("notices", TopicArgs())
    platform.add("unused-topic", TopicArgs())
    saga = platform.add("saga", WorkflowArgs(
        definition=SAGA, topics={"notices": notices},
        tasks={"reserve": FunctionArgs(handler="h.reserve.handler", tables=["stock"]),
               "charge_card": FunctionArgs(handler="h.charge.handler", tables=(), timeout_seconds=10),
               "release": FunctionArgs(handler="h.release.handler", tables=["stock"])},
        tables=[TableSpec(hash_key="sku", part="stock", env_var="STOCK_TABLE", actions=("dynamodb:UpdateItem",))]))
    platform.add("starter", InternalFunctionArgs(handler="h.start.handler", access=[saga.start_access("SAGA_ARN")]))


@pytest.fixture(scope="module")
def saga() -> Run:
    return catalog()


MACHINE = arn("states", "stateMachine:platform-dev-saga-workflow")


def test_definition_gets_the_arns_of_its_functions_and_topics(saga):
    machine = saga.view.get("saga-workflow").inputs
    definition = json.loads(machine["definition"])
    states = definition["States"]
    assert states["Reserve"]["Parameters"]["FunctionName"] == arn("lambda", "function:platform-dev-saga-reserve")
    assert states["Charge"]["Parameters"]["FunctionName"] == arn("lambda", "function:platform-dev-saga-charge-card")
    assert states["Tell"]["Parameters"]["TopicArn"] == arn("sns", "platform-dev-notices-topic")
    assert "${" not in machine["definition"]
    assert definition["TimeoutSeconds"] == 300 and machine["type"] == "STANDARD"


def test_every_execution_is_logged_with_its_data_traced_and_encrypted(saga):
    machine = saga.view.get("saga-workflow").inputs
    assert machine["loggingConfiguration"] == {
        "level": "ALL", "includeExecutionData": True,
        "logDestination": arn("logs", "log-group:/platform/dev/saga/workflow:*")}
    assert machine["tracingConfiguration"] == {"enabled": True}
    assert machine["encryptionConfiguration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    group = saga.view.get("saga-workflow-logs").inputs
    assert group["name"] == "/platform/dev/saga/workflow" and group["kmsKeyId"].startswith("arn:aws:kms:")
    shipped = {f.inputs["logGroup"] for f in saga.view.of_type(
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")}
    assert "/platform/dev/saga/workflow" in shipped
    assert 'service("platform-dev-saga-workflow")' in saga.view.of_type("aws:xray/group:Group")[0].inputs[
        "filterExpression"]


def test_role_invokes_exactly_the_task_functions_and_publishes_exactly_the_named_topic(saga):
    trust = json.loads(saga.view.get("saga-workflow-role").inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    statements = policy(saga.view, "saga-workflow-policy")
    assert set(statements) == {"DeliverExecutionLogs", "WriteTraces", "RunTasks", "PublishNotices",
                               "UseStackKeyViaSnsStates"}
    assert statements["RunTasks"]["Resource"] == sorted(arn("lambda", f"function:platform-dev-saga-{t}")
                                                        for t in ("reserve", "charge-card", "release"))
    assert statements["PublishNotices"]["Resource"] == arn("sns", "platform-dev-notices-topic")
    assert statements["DeliverExecutionLogs"]["Action"] == list(LOG_DELIVERY_ACTIONS)
    assert "platform-dev-unused-topic-topic" not in json.dumps(statements)


def test_task_functions_run_rarely_get_the_worker_timeout_and_only_the_tables_they_name(saga):
    for name, timeout in (("reserve", 20), ("charge-card", 10), ("release", 20)):
        fn = saga.view.get(f"saga-{name}-function").inputs
        assert (fn["timeout"], fn["reservedConcurrentExecutions"]) == (timeout, -1)
    assert "UseOwnStock" in policy(saga.view, "saga-reserve-policy")
    assert set(policy(saga.view, "saga-charge-card-policy")) == {"WriteOwnLogs", "WriteTraces"}


def test_alarm_set_failed_timed_out_throttled_aborted_p99_and_any_task_error(saga):
    keys = alarm_keys(saga.view, "saga")
    assert {"sfn-workflow-failed-warning", "sfn-workflow-failed-critical", "sfn-workflow-timed-out-critical",
            "sfn-workflow-throttled-warning", "sfn-workflow-aborted-warning", "sfn-workflow-duration-warning",
            "lambda-reserve-errors-critical", "lambda-charge-card-errors-critical",
            "lambda-release-errors-critical"} <= keys
    assert "sfn-workflow-duration-critical" not in keys and "lambda-reserve-errors-warning" not in keys
    by_name = alarms(saga.view, "saga")
    for severity, threshold in (("warning", 2), ("critical", 4)):
        failed = by_name[f"platform-dev-saga-sfn-workflow-failed-{severity}"]
        assert (failed["metricName"], failed["dimensions"], failed["threshold"]) == (
            "ExecutionsFailed", {"StateMachineArn": MACHINE}, threshold)
    for kind, metric in (("timed-out-critical", "ExecutionsTimedOut"), ("throttled-warning", "ExecutionThrottled"),
                         ("aborted-warning", "ExecutionsAborted")):
        alarm = by_name[f"platform-dev-saga-sfn-workflow-{kind}"]
        assert (alarm["metricName"], alarm["threshold"], alarm["evaluationPeriods"]) == (metric, 1, 1)
    duration = by_name["platform-dev-saga-sfn-workflow-duration-warning"]
    assert (duration["metricName"], duration["extendedStatistic"], duration["threshold"]) == (
        "ExecutionTime", "p99", 150000)               # 50 % of 300 s, in ms
    task_error = by_name["platform-dev-saga-lambda-charge-card-errors-critical"]
    assert (task_error["metricName"], task_error["threshold"]) == ("Errors", 1) and "metricQueries" not in task_error


def test_start_access_dashboard_and_output(saga):
    statements = policy(saga.view, "starter-function-policy")
    assert statements["StartWorkflow"]["Action"] == ["states:StartExecution"]
    assert statements["StartWorkflow"]["Resource"] == MACHINE
    assert saga.view.get("starter-function-function").inputs["environment"]["variables"]["SAGA_ARN"] == MACHINE
    assert section_titles(saga.view, "saga") == [
        "Lambda platform-dev-saga-reserve", "Lambda platform-dev-saga-charge-card", "Lambda platform-dev-saga-release",
        "DynamoDB platform-dev-saga-stock", "Step Functions platform-dev-saga-workflow", "Logs"]
    assert saga.view.outputs["services"]["saga"] == {
        "kind": "workflow", "dashboard": "platform-dev-saga-dashboard", "healthAlarm": "platform-dev-saga-health",
        "stateMachineArn": MACHINE}


# -- planning and bad arguments -------------------------------------------------------------------
CORE = core_for()
TASK_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@hypothesis_settings(max_examples=100, deadline=None)
@given(names=st.lists(TASK_NAMES, min_size=1, max_size=5, unique=True))
def test_placeholders_are_found_anywhere_and_every_one_is_substituted(names):
    definition = {"StartAt": "S0", "TimeoutSeconds": 60, "States": {
        f"S{i}": {"Type": "Parallel", "Branches": [{"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": f"${{function:{name}}}", "End": True}}}], **(
            {"Next": f"S{i + 1}"} if i + 1 < len(names) else {"End": True})}
        for i, name in enumerate(names)}}
    assert placeholders(definition) == {("function", name) for name in names}
    arns = {("function", name): f"arn:{name}" for name in names}
    assert "${" not in json.dumps(substitute(definition, arns))
    tasks = {name: FunctionArgs(handler="h.app.handler") for name in names}
    assert WorkflowArgs(definition=definition, tasks=tasks).problems(CORE) == []


@hypothesis_settings(max_examples=100, deadline=None)
@given(timeout=st.one_of(st.none(), st.integers(-5, MAX_TIMEOUT_SECONDS + 5), st.just("300")))
def test_a_workflow_must_bound_its_executions(timeout):
    definition = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    if timeout is not None:
        definition["TimeoutSeconds"] = timeout
    problems = WorkflowArgs(definition=definition).problems(CORE)
    bounded = isinstance(timeout, int) and 1 <= timeout <= MAX_TIMEOUT_SECONDS
    assert any(p.startswith("definition: TimeoutSeconds must be set") for p in problems) == (not bounded)


def problems_of(definition=None, **args) -> list[str]:
    base = {"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": task("a")}}
    args.setdefault("tasks", {"a": FunctionArgs(handler="h.app.handler")})
    return WorkflowArgs(definition=definition or base, **args).problems(CORE)


@pytest.mark.parametrize("definition, args, expected", [
    ({"StartAt": "B", "TimeoutSeconds": 60, "States": {"A": task("a")}}, {}, "definition: StartAt 'B' is not a state"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": task("a", "Nowhere")}}, {},
     "definition state 'A': goes to 'Nowhere', which is not a state"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": {"Type": "Pass"}}}, {"tasks": {}},
     "definition state 'A': needs Next or End"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": {"Type": "Choice"}}}, {"tasks": {}},
     "definition state 'A': a Choice needs Choices"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": {"Type": "Sleep", "End": True}}}, {"tasks": {}},
     "definition state 'A': Type must be one of"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {}}, {"tasks": {}}, "definition: States must be a non-empty"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": task("b")}}, {},
     "definition: ${function:b} names no task of this workflow (known: a)"),
    (None, {"topics": {"t": object()}}, "topics[t]: must be a Topic service"),
    (None, {"tasks": {"a": FunctionArgs(handler="h.app.handler"), "b": FunctionArgs(handler="h.b.handler")}},
     "tasks: ['b'] are never called by the definition"),
    (None, {"tasks": {"a": FunctionArgs(handler="a")}}, "tasks[a].handler = 'a'"),
    (None, {"tasks": {"a": FunctionArgs(handler="h.app.handler", timeout_seconds=0)}}, "tasks[a].timeout_seconds = 0"),
    (None, {"tasks": {"a": FunctionArgs(handler="h.app.handler", tables=["stock"])}},
     "tasks[a].tables: ['stock'] are not tables of this service ([])"),
    ({"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": {**task("a"), "Parameters": {"x": {1, 2}}}}}, {},
     "definition: must be JSON-serialisable"),
])
def test_each_bad_argument_is_named(definition, args, expected):
    problems = problems_of(definition, **args)
    assert any(p.startswith(expected) for p in problems), problems
