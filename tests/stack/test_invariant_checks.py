"""Every stack invariant can fail: each is run on a copy of a real stack run with one thing broken.

A check that cannot fail is worthless, so each tampering below breaks one promise the way a
regression in a component would (a redrive policy dropped, a visibility timeout shrunk, a foreign
ARN in a role, a guarded alarm on a daily job, a dashboard gone...) and asserts the check names
the resource at fault. Targets are picked from the inventory by what they are, never by the name of
a reference service, and every check in `invariants.ALL` must have at least one tampering here.
"""
from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from typing import Any, Callable

import pytest

from components.preview.recorder import Registration
from components.preview.runner import PreviewResult
from components.settings import Settings
from policy.platform_policy.rules.iam import WILDCARD_RESOURCE_ACTIONS
from tests.stack import invariants as inv

SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SHIPPER_LOG_GROUP = re.compile(r"^/[^/]+/[^/]+/log-shipping/lambda-shipper$")

Tamper = Callable[[PreviewResult, Settings], tuple[PreviewResult, str]]
TAMPERS: list[tuple[inv.Check, str, Tamper]] = []


def tampering(check: inv.Check, what: str) -> Callable[[Tamper], Tamper]:
    def register(tamper: Tamper) -> Tamper:
        TAMPERS.append((check, what, tamper))
        return tamper
    return register


# -- copies with one thing changed (the shared results are never mutated): the recorded result is edited, and
# -- the checks read it through the kit's view of the copy (`view.with_result`) -----------------------------------
def edited(result: PreviewResult, target: Registration, change: Callable[[dict[str, Any]], Any]) -> PreviewResult:
    """The change is made to the inputs and to the outputs (which echo the inputs), as a component
    regression would: the invariants read the inputs, the policy pack's rules the outputs."""
    inputs, outputs = copy.deepcopy(target.inputs), copy.deepcopy(target.outputs)
    change(inputs)
    change(outputs)
    return replace(result, resources=[replace(r, inputs=inputs, outputs=outputs) if r is target else r
                                      for r in result.resources])


def without(result: PreviewResult, *targets: Registration) -> PreviewResult:
    return replace(result, resources=[r for r in result.resources if not any(r is t for t in targets)])


def plus(result: PreviewResult, *registrations: Registration) -> PreviewResult:
    return replace(result, resources=[*result.resources, *registrations])


def with_outputs(result: PreviewResult, change: Callable[[dict[str, Any]], Any]) -> PreviewResult:
    outputs = copy.deepcopy(result.outputs)
    change(outputs)
    return replace(result, outputs=outputs)


def pick(result: PreviewResult, type_token: str, where: Callable[[Registration], bool] = lambda r: True) -> Registration:
    found = [r for r in result.of_type(type_token) if where(r)]
    assert found, f"the stack has no {type_token} to tamper with"
    return found[0]


def arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def queue_arns(result: PreviewResult) -> set[str]:
    return {q.outputs["arn"] for q in result.of_type(inv.QUEUE)}


def queue_mapping(result: PreviewResult) -> Registration:
    return pick(result, inv.MAPPING, lambda m: m.inputs["eventSourceArn"] in queue_arns(result))


def scheduled_function(result: PreviewResult) -> str:
    return arn_name(pick(result, inv.SCHEDULE).inputs["target"]["arn"])


def errors_alarm(result: PreviewResult, function: str) -> Registration:
    return pick(result, inv.ALARM, lambda a: a.inputs.get("metricName") == "Errors"
                and a.inputs.get("dimensions") == {"FunctionName": function})


def set_key(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda inputs: inputs.__setitem__(key, value)


def drop_key(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda inputs: inputs.pop(key)


# -- every asynchronous path keeps its failures, and their queue's depth is alarmed ----------------------------
@tampering(inv.async_paths_keep_failures, "a consumed queue loses its redrive policy")
def _(result, settings):
    mapping = queue_mapping(result)
    queue = pick(result, inv.QUEUE, lambda q: q.outputs["arn"] == mapping.inputs["eventSourceArn"])
    return edited(result, queue, drop_key("redrivePolicy")), f"{mapping.name}: its queue has no redrive policy"


@tampering(inv.async_paths_keep_failures, "a stream consumer loses its on-failure destination")
def _(result, settings):
    mapping = pick(result, inv.MAPPING, lambda m: m.inputs["eventSourceArn"] not in queue_arns(result))
    return (edited(result, mapping, drop_key("destinationConfig")),
            f"{mapping.name}: stream consumer without an on-failure destination")


@tampering(inv.async_paths_keep_failures, "a queue subscription loses its DLQ")
def _(result, settings):
    subscription = pick(result, SNS_SUBSCRIPTION, lambda s: s.inputs["protocol"] == "sqs")
    return (edited(result, subscription, drop_key("redrivePolicy")),
            f"{subscription.name}: sqs subscription without a dead-letter queue")


@tampering(inv.async_paths_keep_failures, "an EventBridge target loses its DLQ")
def _(result, settings):
    target = pick(result, EVENT_TARGET)
    return (edited(result, target, drop_key("deadLetterConfig")),
            f"{target.name}: EventBridge target without a dead-letter queue and a retry policy")


@tampering(inv.async_paths_keep_failures, "an EventBridge target loses its retry policy")
def _(result, settings):
    target = pick(result, EVENT_TARGET)
    return (edited(result, target, drop_key("retryPolicy")),
            f"{target.name}: EventBridge target without a dead-letter queue and a retry policy")


@tampering(inv.async_paths_keep_failures, "a schedule loses its DLQ")
def _(result, settings):
    schedule = pick(result, inv.SCHEDULE)
    return (edited(result, schedule, lambda i: i["target"].pop("deadLetterConfig")),
            "schedule without a dead-letter queue and a retry policy")


@tampering(inv.async_paths_keep_failures, "an async invocation config loses its on-failure destination")
def _(result, settings):
    config = pick(result, INVOKE_CONFIG)
    return (edited(result, config, lambda i: i["destinationConfig"].pop("onFailure")),
            f"{config.name}: asynchronous invocation without an on-failure destination")


@tampering(inv.async_paths_keep_failures, "a scheduled function loses its async invocation config")
def _(result, settings):
    function = scheduled_function(result)
    config = pick(result, INVOKE_CONFIG, lambda c: c.inputs["functionName"] == function)
    return without(result, config), f"function {function} is invoked asynchronously but keeps no failed events"


def dead_letter_alarm(result: PreviewResult) -> tuple[Registration, str]:
    subscription = pick(result, SNS_SUBSCRIPTION, lambda s: s.inputs["protocol"] == "sqs")
    dlq = arn_name(json.loads(subscription.inputs["redrivePolicy"])["deadLetterTargetArn"])
    return pick(result, inv.ALARM, lambda a: a.inputs.get("metricName") == "ApproximateNumberOfMessagesVisible"
                and a.inputs["dimensions"] == {"QueueName": dlq}), dlq


@tampering(inv.async_paths_keep_failures, "a dead-letter queue loses its depth alarm")
def _(result, settings):
    alarm, dlq = dead_letter_alarm(result)
    return without(result, alarm), f"its dead-letter queue {dlq} has no depth alarm"


@tampering(inv.async_paths_keep_failures, "a dead-letter queue's depth alarm notifies nobody")
def _(result, settings):
    alarm, dlq = dead_letter_alarm(result)
    return edited(result, alarm, set_key("alarmActions", [])), f"its dead-letter queue {dlq} has no depth alarm"


# -- every function is traced and every log group shipped once (the shipper's own excepted) --------------------
def service_function(result: PreviewResult) -> Registration:
    return pick(result, inv.FUNCTION, lambda f: f.inputs["tags"]["platform:service"] not in ("core", "log-shipping"))


def function_log_group(result: PreviewResult) -> Registration:
    name = service_function(result).inputs["loggingConfig"]["logGroup"]
    return pick(result, inv.LOG_GROUP, lambda g: g.inputs["name"] == name)


@tampering(inv.functions_are_traced_and_shipped, "a function stops tracing")
def _(result, settings):
    fn = service_function(result)
    return edited(result, fn, set_key("tracingConfig", {"mode": "PassThrough"})), f"{fn.name} ({fn.inputs['name']}): X-Ray active tracing is off"


@tampering(inv.functions_are_traced_and_shipped, "a function writes to a log group the stack does not create")
def _(result, settings):
    fn = service_function(result)
    return (edited(result, fn, lambda i: i["loggingConfig"].__setitem__("logGroup", "/aws/lambda/elsewhere")),
            f"{fn.name}: writes to /aws/lambda/elsewhere, which the stack does not create")


@tampering(inv.functions_are_traced_and_shipped, "a log group keeps logs for another retention")
def _(result, settings):
    group = function_log_group(result)
    return (edited(result, group, set_key("retentionInDays", settings.log_retention_days + 1)),
            f"log group {group.inputs['name']}: retention is not the profile's")


@tampering(inv.functions_are_traced_and_shipped, "a log group is not encrypted with the stack key")
def _(result, settings):
    group = function_log_group(result)
    return (edited(result, group, drop_key("kmsKeyId")),
            f"({group.inputs['name']}): is not encrypted with a KMS key of this stack")


@tampering(inv.functions_are_traced_and_shipped, "a function's log group loses its shipping subscription")
def _(result, settings):
    name = function_log_group(result).inputs["name"]
    subscription = pick(result, inv.SUBSCRIPTION_FILTER, lambda s: s.inputs["logGroup"] == name)
    return without(result, subscription), f"({name}): has 0 shipping subscriptions, not exactly 1"


@tampering(inv.functions_are_traced_and_shipped, "a log group is shipped twice")
def _(result, settings):
    name = function_log_group(result).inputs["name"]
    subscription = pick(result, inv.SUBSCRIPTION_FILTER, lambda s: s.inputs["logGroup"] == name)
    return plus(result, replace(subscription, name=f"{subscription.name}-again")), \
        f"({name}): has 2 shipping subscriptions, not exactly 1"


@tampering(inv.functions_are_traced_and_shipped, "the shipper's own log group is shipped (a loop)")
def _(result, settings):
    own = pick(result, inv.LOG_GROUP, lambda g: SHIPPER_LOG_GROUP.match(g.inputs["name"]) is not None)
    template = pick(result, inv.SUBSCRIPTION_FILTER)
    loop = replace(template, name="shipper-loop", inputs={**template.inputs, "logGroup": own.inputs["name"]},
                   outputs={**template.outputs, "logGroup": own.inputs["name"]})
    return plus(result, loop), f"({own.inputs['name']}): is shipped, but must not be"


# -- queues outlast their consumers ------------------------------------------------------------------------------
@tampering(inv.queues_outlast_their_consumers, "a queue's visibility timeout shrinks below 6x its consumer's")
def _(result, settings):
    mapping = queue_mapping(result)
    queue = pick(result, inv.QUEUE, lambda q: q.outputs["arn"] == mapping.inputs["eventSourceArn"])
    timeout = pick(result, inv.FUNCTION, lambda f: f.inputs["name"] == mapping.inputs["functionName"]).inputs["timeout"]
    shrunk = 6 * timeout + mapping.inputs.get("maximumBatchingWindowInSeconds", 0) - 1
    return edited(result, queue, set_key("visibilityTimeoutSeconds", shrunk)), \
        f"{mapping.name}: visibility {shrunk} s < 6 x {timeout} s"


@tampering(inv.queues_outlast_their_consumers, "a queue consumer stops reporting partial batch failures")
def _(result, settings):
    mapping = queue_mapping(result)
    return edited(result, mapping, drop_key("functionResponseTypes")), \
        f"{mapping.name}: does not report partial batch failures"


@tampering(inv.queues_outlast_their_consumers, "a queue consumer loses its concurrency cap")
def _(result, settings):
    mapping = queue_mapping(result)
    fn = pick(result, inv.FUNCTION, lambda f: f.inputs["name"] == mapping.inputs["functionName"])
    uncapped = edited(edited(result, mapping, drop_key("scalingConfig")), fn,
                      set_key("reservedConcurrentExecutions", -1))
    return uncapped, f"{mapping.name}: queue consumer with neither a maximum concurrency on the mapping nor reserved concurrency"


# -- roles name only what their component owns or was given ----------------------------------------------------
def policy_statement(result: PreviewResult) -> tuple[Registration, str]:
    """A role policy and the Sid of one of its statements on named resources."""
    for policy in result.of_type(inv.ROLE_POLICY):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if not set(actions) & set(WILDCARD_RESOURCE_ACTIONS) and statement.get("Resource") != "*":
                return policy, statement["Sid"]
    raise AssertionError("no role policy to tamper with")


def policy_name(where: str) -> str:
    """`<policy> <Sid>` as the invariants name a statement -> the policy's logical name."""
    return where.split(" ")[0]


def edit_statement(result: PreviewResult, change: Callable[[dict[str, Any]], None]) -> tuple[PreviewResult, str]:
    policy, sid = policy_statement(result)

    def change_document(inputs: dict[str, Any]) -> None:
        document = json.loads(inputs["policy"])
        change(next(s for s in document["Statement"] if s["Sid"] == sid))
        inputs["policy"] = json.dumps(document)

    return edited(result, policy, change_document), f"{policy.name} {sid}"


def add_resource(arn: str) -> Callable[[dict[str, Any]], None]:
    return lambda statement: statement.__setitem__("Resource", [*listed(statement["Resource"]), arn])


@tampering(inv.roles_name_only_stack_resources, "a role names another account's queue")
def _(result, settings):
    foreign = "arn:aws:sqs:us-east-1:999999999999:someone-elses-queue"
    tampered, where = edit_statement(result, add_resource(foreign))
    return tampered, f"{where}: {foreign} is not a resource of this stack"


@tampering(inv.roles_name_only_stack_resources, "a role names the other stack's table")
def _(result, settings):
    other = "prod" if settings.stack == "dev" else "dev"
    foreign = f"arn:aws:dynamodb:us-east-1:123456789012:table/platform-{other}-ledger-table"
    tampered, where = edit_statement(result, add_resource(foreign))
    return tampered, f"{where}: {foreign} is not a resource of this stack"


@tampering(inv.roles_name_only_stack_resources, "a role gets a service-wide wildcard action")
def _(result, settings):
    tampered, where = edit_statement(result, lambda s: s.__setitem__("Action", [*listed(s["Action"]), "sqs:*"]))
    return tampered, f"{policy_name(where)}: statement {where.split(' ')[-1]} allows ['sqs:*']"


@tampering(inv.roles_name_only_stack_resources, "a role gets every action")
def _(result, settings):
    tampered, where = edit_statement(result, lambda s: s.__setitem__("Action", "*"))
    return tampered, f"{policy_name(where)}: statement {where.split(' ')[-1]} allows ['*']"


@tampering(inv.roles_name_only_stack_resources, "a role statement widens to every resource")
def _(result, settings):
    tampered, where = edit_statement(result, lambda s: s.__setitem__("Resource", "*"))
    return tampered, f"{policy_name(where)}: statement {where.split(' ')[-1]} grants"


# -- every alarm can fire: rarely run functions alarm on any error ---------------------------------------------
@tampering(inv.low_traffic_functions_alarm_on_any_error, "a scheduled job's error alarm waits for several errors")
def _(result, settings):
    function = scheduled_function(result)
    return edited(result, errors_alarm(result, function), set_key("threshold", 3)), \
        f"function {function} runs rarely but has no alarm on any single error"


@tampering(inv.low_traffic_functions_alarm_on_any_error, "a scheduled job gets a guarded error-rate alarm")
def _(result, settings):
    function = scheduled_function(result)
    guarded = pick(result, inv.ALARM, lambda a: any(q.get("metric", {}).get("metricName") == "Errors"
                                                    for q in a.inputs.get("metricQueries", [])))
    queries = copy.deepcopy(guarded.inputs["metricQueries"])
    for query in queries:
        if "metric" in query:
            query["metric"]["dimensions"] = {"FunctionName": function}
    rate = replace(guarded, name=f"{function}-rate", inputs={**guarded.inputs, "name": f"{function}-errors-rate",
                                                             "metricQueries": queries})
    return plus(result, rate), f"function {function} runs rarely but has guarded error-rate alarms"


@tampering(inv.low_traffic_functions_alarm_on_any_error, "a workflow task loses its any-error alarm")
def _(result, settings):
    machine = pick(result, inv.STATE_MACHINE)
    function = re.findall(r"function:([A-Za-z0-9_-]+)", machine.inputs["definition"])[0]
    return without(result, errors_alarm(result, function)), \
        f"function {function} runs rarely but has no alarm on any single error"


@tampering(inv.low_traffic_functions_alarm_on_any_error, "an authorizer loses its any-error alarm")
def _(result, settings):
    authorizer = pick(result, inv.AUTHORIZER)
    function = re.findall(r"function:([A-Za-z0-9_-]+)/invocations", authorizer.inputs["authorizerUri"])[0]
    return without(result, errors_alarm(result, function)), \
        f"function {function} runs rarely but has no alarm on any single error"


# -- every service has a health alarm, a dashboard, an overview row and an output entry -------------------------
def a_service(result: PreviewResult) -> tuple[str, dict[str, Any]]:
    return next(iter(result.outputs["services"].items()))


@tampering(inv.every_service_is_observed, "a service's dashboard is gone")
def _(result, settings):
    service, entry = a_service(result)
    board = pick(result, inv.DASHBOARD, lambda d: d.inputs["dashboardName"] == entry["dashboard"])
    return without(result, board), f"{service}: no dashboard {entry['dashboard']}"


@tampering(inv.every_service_is_observed, "a service's health alarm is gone")
def _(result, settings):
    service, entry = a_service(result)
    health = pick(result, inv.COMPOSITE, lambda c: c.inputs["alarmName"] == entry["healthAlarm"])
    return without(result, health), f"{service}: no health alarm {entry['healthAlarm']}"


@tampering(inv.every_service_is_observed, "a service's health alarm misses one of its alarms")
def _(result, settings):
    service, entry = a_service(result)
    health = pick(result, inv.COMPOSITE, lambda c: c.inputs["alarmName"] == entry["healthAlarm"])
    first, _, rest = health.inputs["alarmRule"].partition(" OR ")
    missing = first.removeprefix('ALARM("').removesuffix('")')
    return edited(result, health, set_key("alarmRule", rest)), f"{service}: health alarm misses ['{missing}']"


@tampering(inv.every_service_is_observed, "a service has no row in the overview")
def _(result, settings):
    service, _ = a_service(result)
    overview = pick(result, inv.DASHBOARD, lambda d: d.inputs["dashboardName"] in result.outputs["overviewDashboards"]
                    and f"### {service}" in d.inputs["dashboardBody"])

    def drop_row(inputs: dict[str, Any]) -> None:
        body = json.loads(inputs["dashboardBody"])
        body["widgets"] = [w for w in body["widgets"]
                           if not str(w["properties"].get("markdown", "")).startswith(f"### {service}\n")]
        inputs["dashboardBody"] = json.dumps(body)

    return edited(result, overview, drop_row), f"{service}: no row in the overview"


@tampering(inv.every_service_is_observed, "a service is missing from the services output")
def _(result, settings):
    service, _ = a_service(result)
    return with_outputs(result, lambda o: o["services"].pop(service)), "differs from the service components"


# -- alarms route by severity and say what to check first -------------------------------------------------------
def critical_topic_arn(result: PreviewResult) -> str:
    return pick(result, "aws:sns/topic:Topic", lambda t: t.inputs["name"].endswith("-alarms-critical")).outputs["arn"]


@tampering(inv.alarms_route_by_severity, "a Warning alarm pages the Critical topic")
def _(result, settings):
    alarm = pick(result, inv.ALARM, lambda a: a.inputs["tags"]["platform:severity"] == "warning")
    return edited(result, alarm, set_key("alarmActions", [critical_topic_arn(result)])), \
        f"{alarm.name}: actions are not its severity's topic"


@tampering(inv.alarms_route_by_severity, "an alarm does not say when it is over")
def _(result, settings):
    alarm = pick(result, inv.ALARM)
    return edited(result, alarm, set_key("okActions", [])), f"{alarm.name}: actions are not its severity's topic"


@tampering(inv.alarms_route_by_severity, "an alarm's description has no runbook hint")
def _(result, settings):
    alarm = pick(result, inv.ALARM)
    return edited(result, alarm, set_key("alarmDescription", "Something is wrong.")), \
        f"{alarm.name}: description has no 'Check first'"


@tampering(inv.alarms_route_by_severity, "a health alarm pages the Critical topic")
def _(result, settings):
    health = pick(result, inv.COMPOSITE)
    return edited(result, health, set_key("alarmActions", [critical_topic_arn(result)])), \
        f"{health.name}: health alarms notify the Warning topic"


# -- names are unique, deterministic and within AWS's limits ---------------------------------------------------
@tampering(inv.names_are_unique_deterministic_and_within_limits, "a logical name is registered twice")
def _(result, settings):
    queue = pick(result, inv.QUEUE)
    return plus(result, queue), f"logical name {(queue.type, queue.name)} is registered 2 times"


@tampering(inv.names_are_unique_deterministic_and_within_limits, "two queues get the same physical name")
def _(result, settings):
    first, second = result.of_type(inv.QUEUE)[:2]
    return edited(result, second, set_key("name", first.inputs["name"])), \
        f"{inv.QUEUE}: {first.inputs['name']} is used twice"


@tampering(inv.names_are_unique_deterministic_and_within_limits, "a function name outgrows Lambda's 64 characters")
def _(result, settings):
    fn = service_function(result)
    long = f"platform-{settings.stack}-" + "x" * 60
    return edited(result, fn, set_key("name", long)), f"{inv.FUNCTION}: {long!r} is empty or longer than 64"


@tampering(inv.names_are_unique_deterministic_and_within_limits, "a table name loses the stack prefix")
def _(result, settings):
    table = pick(result, "aws:dynamodb/table:Table")
    return edited(result, table, set_key("name", "orders")), \
        "aws:dynamodb/table:Table: orders does not carry the stack's prefix"


@tampering(inv.names_are_unique_deterministic_and_within_limits, "an alarm has an empty name")
def _(result, settings):
    alarm = pick(result, inv.ALARM)
    return edited(result, alarm, set_key("name", "")), f"{inv.ALARM}: '' is empty or longer than 255"


# -- APIs are traced, throttled and logged ------------------------------------------------------------------------
@tampering(inv.apis_are_traced_throttled_and_logged, "a stage stops tracing")
def _(result, settings):
    stage = pick(result, inv.STAGE)
    return edited(result, stage, set_key("xrayTracingEnabled", False)), f"{stage.name}: X-Ray tracing is off"


@tampering(inv.apis_are_traced_throttled_and_logged, "a stage stops writing access logs")
def _(result, settings):
    stage = pick(result, inv.STAGE)
    return edited(result, stage, drop_key("accessLogSettings")), f"{stage.name}: has no access logs"


@tampering(inv.apis_are_traced_throttled_and_logged, "a stage is throttled differently from the profile")
def _(result, settings):
    stage = pick(result, inv.STAGE)
    method = pick(result, "aws:apigateway/methodSettings:MethodSettings",
                  lambda m: m.inputs["restApi"] == stage.inputs["restApi"])
    return edited(result, method, lambda i: i["settings"].__setitem__("throttlingRateLimit", 1)), \
        f"{stage.name}: throttling is not the profile's"


@tampering(inv.apis_are_traced_throttled_and_logged, "an HTTP API (not traced by X-Ray) appears")
def _(result, settings):
    api = Registration(type="aws:apigatewayv2/api:Api", name="fast-api", parent=None,
                       inputs={"name": f"platform-{settings.stack}-fast-api"}, outputs={}, custom=True)
    return plus(result, api), "HTTP APIs are not traced by X-Ray; use REST APIs"


# -- the tests ---------------------------------------------------------------------------------------------------
def test_every_check_has_a_tampering_that_makes_it_fail():
    """The container invariants are broken the same way in tests/stack/test_container_invariants.py."""
    from tests.stack.test_container_invariants import CASES
    assert {check for check, _, _ in TAMPERS} | {case[0] for case in CASES} == set(inv.ALL)


@pytest.mark.parametrize("check, what, tamper", TAMPERS, ids=[f"{c.__name__}: {w}" for c, w, _ in TAMPERS])
def test_the_check_reports_the_tampering(check, what, tamper, view, settings):
    """The untampered stack passes every check (tests/stack/test_invariants.py); this copy must not."""
    tampered, expected = tamper(view.result, settings)
    problems = check(view.with_result(tampered), settings)
    assert any(expected in problem for problem in problems), (expected, problems)


def test_tampering_leaves_the_shared_results_untouched(view, settings):
    result = view.result
    before = json.dumps(result.inventory(), sort_keys=True), json.dumps(result.outputs, sort_keys=True)
    for _, _, tamper in TAMPERS:
        tamper(result, settings)
    assert (json.dumps(result.inventory(), sort_keys=True), json.dumps(result.outputs, sort_keys=True)) == before


def test_a_role_naming_another_services_table_is_reported(view, settings):
    policy, sid = policy_statement(view.result)
    owner = next(r.inputs["tags"]["platform:service"] for r in view.of_type("aws:iam/role:Role")
                 if r.outputs.get("id") == policy.inputs["role"] or r.inputs.get("name") == policy.inputs["role"])
    table = pick(view.result, "aws:dynamodb/table:Table", lambda t: t.inputs["tags"]["platform:service"] != owner)
    tampered, _ = edit_statement(view.result, add_resource(table.outputs["arn"]))
    assert any(table.outputs["arn"] in p for p in inv.roles_name_only_stack_resources(view.with_result(tampered),
                                                                                      settings))
