"""The one service model, over every kind at once: what each service hands the stack, whatever its kind.

The catalog program holds a service of every kind (tests/component/every_kind.py) besides every
component test module's services; each test here reads the services from the `services` output
and the inventory, so a new kind is covered as soon as any module declares it.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from components.naming import LIMITS
from components.platform import Platform
from components.services.event_route import EventRouteArgs, FunctionTarget, QueueTarget, Rule, WorkflowTarget
from components.services.function import FunctionArgs
from components.services.http_plan import Route
from components.services.http_service import HttpServiceArgs, TableSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.rest_api import UsagePlan
from components.services.scheduled_job import ScheduledJobArgs
from components.services.service import ServiceArgumentError
from components.services.stream_pipeline import StreamPipelineArgs
from components.services.table_stream import TableStreamArgs
from components.services.topic import HttpsSubscriber, QueueSubscriber, TopicArgs
from components.services.workflow import WorkflowArgs
from components.testing import PlatformView
from components.testing.failure import ProgramError
from components.testing.run import run_services
from tests.component import every_kind
from tests.component.harness import (ALARM, REGION, Run, alarms, catalog, health_rule, in_catalog,
                                     section_titles)
from tests.stack.invariants import KIND_BY_TYPE

#: Resources a service may own, with the metric that must be alarmed for each and its dimension.
WATCHED: dict[str, tuple[str, str, str, str]] = {
    # type: (input holding the physical name, metric, dimension, how the dashboard section names it)
    "aws:lambda/function:Function": ("name", "Errors", "FunctionName", "Lambda {}"),
    "aws:dynamodb/table:Table": ("name", "ReadThrottleEvents", "TableName", "DynamoDB {}"),
    "aws:kinesis/stream:Stream": ("name", "GetRecords.IteratorAgeMilliseconds", "StreamName", "Kinesis {}"),
    "aws:sns/topic:Topic": ("name", "NumberOfNotificationsFailed", "TopicName", "SNS {}"),
    "aws:cloudwatch/eventRule:EventRule": ("name", "FailedInvocations", "RuleName", "EventBridge rule {}"),
    "aws:scheduler/scheduleGroup:ScheduleGroup": ("name", "TargetErrorCount", "ScheduleGroup", None),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ("name", "DeliveryToS3.DataFreshness",
                                                                  "DeliveryStreamName", "Firehose {}"),
    "aws:apigateway/restApi:RestApi": ("name", "5XXError", "ApiName", "API {}/v1"),
}
DEAD_LETTER_RETENTION = 14 * 24 * 3600


in_catalog(every_kind.declare_every_kind)


@pytest.fixture(scope="module")
def every() -> Run:
    return catalog()


@pytest.fixture(scope="module")
def services(every: Run) -> dict[str, dict[str, Any]]:
    return every.view.outputs["services"]


def _alarmed_metrics(view: PlatformView) -> set[tuple[str, str, str]]:
    """(metric, dimension, value) of every alarm, single metric or metric math."""
    found = set()
    for alarm in view.of_type(ALARM):
        inputs = alarm.inputs
        metrics = [inputs] if "metricName" in inputs else [q["metric"] for q in inputs.get("metricQueries", [])
                                                           if q.get("metric")]
        for metric in metrics:
            for dimension, value in metric.get("dimensions", {}).items():
                found.add((metric["metricName"], dimension, value))
    return found


def test_every_kind_is_declared_and_in_the_services_output(services):
    synthetic = {entry["kind"] for name, entry in services.items() if name.startswith(f"{every_kind.PREFIX}-")}
    assert synthetic == {entry["kind"] for entry in services.values()} == set(every_kind.KINDS)


def test_every_service_entry_names_its_dashboard_and_health_alarm(every, services):
    dashboards = {d.inputs["dashboardName"] for d in every.view.of_type("aws:cloudwatch/dashboard:Dashboard")}
    for service, entry in services.items():
        assert entry["dashboard"] == f"platform-dev-{service}-dashboard" and entry["dashboard"] in dashboards
        assert entry["healthAlarm"] == f"platform-dev-{service}-health"


def test_children_are_parented_to_and_prefixed_by_their_service(every, services):
    for service in services:
        children = every.view.descendants(service)
        assert children, service
        strays = [r.name for r in children if not r.name.startswith(f"{service}-")]
        assert strays == [], service
    components = [r for r in every.view.resources if r.type.startswith("platform:services:")]
    assert all(c.parent is None for c in components)


def test_physical_names_carry_project_stack_and_service_within_limits(every, services):
    checked = 0
    for service in services:
        for r in every.view.descendants(service):
            kind = KIND_BY_TYPE.get(r.type)
            if kind is None:
                continue
            physical = next(r.inputs[k] for k in ("name", "alarmName", "dashboardName", "bucket") if k in r.inputs)
            assert physical.startswith((f"platform-dev-{service}-", f"/platform/dev/{service}/")), (r.type, physical)
            assert len(physical) <= LIMITS[kind]
            checked += 1
    assert checked > 100


def test_every_taggable_resource_carries_the_service_tags(every, services):
    for service in services:
        tagged = [r for r in every.view.descendants(service) if "tags" in r.inputs]
        assert tagged
        for r in tagged:
            tags = r.inputs["tags"]
            assert {k: tags[k] for k in ("platform:project", "platform:stack", "platform:environment",
                                         "platform:service", "managed-by")} == {
                "platform:project": "platform", "platform:stack": "dev", "platform:environment": "dev",
                "platform:service": service, "managed-by": "pulumi"}, r.name


def test_every_resource_a_service_owns_is_alarmed_and_has_a_dashboard_section(every, services):
    alarmed = _alarmed_metrics(every.view)
    for service in services:
        sections = section_titles(every.view, service)
        for r in every.view.descendants(service):
            if r.type not in WATCHED:
                continue
            key, metric, dimension, section = WATCHED[r.type]
            physical = r.inputs[key]
            assert (metric, dimension, physical) in alarmed, (service, r.type, physical)
            if section:
                assert section.format(physical) in sections, (service, physical)


def test_every_queue_is_alarmed_by_its_role_dead_letters_on_depth_work_queues_on_age(every, services):
    alarmed = _alarmed_metrics(every.view)
    for service in services:
        sections = section_titles(every.view, service)
        for queue in [r for r in every.view.descendants(service) if r.type == "aws:sqs/queue:Queue"]:
            name = queue.inputs["name"]
            dead = queue.inputs["messageRetentionSeconds"] == DEAD_LETTER_RETENTION
            metric = "ApproximateNumberOfMessagesVisible" if dead else "ApproximateAgeOfOldestMessage"
            assert (metric, "QueueName", name) in alarmed, name
            assert f"{'SQS dead-letter queue' if dead else 'SQS'} {name}" in sections
            assert queue.inputs["kmsMasterKeyId"].startswith(f"arn:aws:kms:{REGION}:")
            assert len(name) <= LIMITS["sqs_queue"]


def test_health_alarm_rolls_up_exactly_the_services_own_alarms(every, services):
    for service in services:
        own = alarms(every.view, service)
        assert own, service
        rule = health_rule(every.view, service)
        assert sorted(rule.split(" OR ")) == sorted(f'ALARM("{name}")' for name in own)


def test_alarms_are_named_after_their_service_and_route_by_severity(every, services):
    topics = {t.inputs["name"].rsplit("-", 1)[-1]: t.outputs["arn"] for t in every.view.of_type("aws:sns/topic:Topic")
              if t.parent == "platform-core"}
    for service in services:
        for name, alarm in alarms(every.view, service).items():
            assert name.startswith(f"platform-dev-{service}-")
            assert alarm["alarmActions"] == alarm["okActions"] == [topics[alarm["tags"]["platform:severity"]]]


def test_every_function_is_traced_and_its_log_group_shipped(every, services):
    shipped = {f.inputs["logGroup"] for f in every.view.of_type(
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")}
    for service in services:
        functions = [r for r in every.view.descendants(service) if r.type == "aws:lambda/function:Function"]
        for fn in functions:
            assert fn.inputs["tracingConfig"] == {"mode": "Active"}
            assert fn.inputs["loggingConfig"]["logGroup"] in shipped
            assert fn.inputs["environment"]["variables"]["SERVICE_NAME"] == service
        for group in [r for r in every.view.descendants(service) if r.type == "aws:cloudwatch/logGroup:LogGroup"]:
            assert group.inputs["name"] in shipped


def test_overview_has_a_row_per_service(every, services):
    names = every.view.outputs["overviewDashboards"]
    boards = [json.loads(d.inputs["dashboardBody"]) for d in every.view.of_type("aws:cloudwatch/dashboard:Dashboard")
              if d.inputs["dashboardName"] in names]
    rows = {w["properties"]["markdown"] for b in boards for w in b["widgets"] if w["type"] == "text"}
    for service in services:
        assert any(row.startswith(f"### {service}\n") or row == f"### {service}" for row in rows), service


# -- bad arguments stop the service before anything of it exists ------------------------------------
REJECTED: dict[str, ServiceArgumentError] = {}


@in_catalog
def _bad_services(platform: Platform) -> None:
    """One bad declaration per kind (and per class the checks were added for), each caught so the
    program goes on to the next."""
    fifo = platform.add("fifo-worker", QueueWorkerArgs(handler="h.app.handler", fifo=True))
    plain = platform.add("plain-worker", QueueWorkerArgs(handler="h.app.handler"))
    sync = platform.add("sync-function", InternalFunctionArgs(handler="h.app.handler"))
    flow = {"StartAt": "A", "TimeoutSeconds": 60, "States": {"A": {"Type": "Task", "Resource": "${function:a}",
                                                                   "End": True}}}
    api = platform.add("plain-api", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a")],
                                                   table=TableSpec(hash_key="id")))
    declarations = {
        "bad-topic": TopicArgs(subscribers=[QueueSubscriber(worker=fifo)]),
        "bad-worker": QueueWorkerArgs(handler="h.app.handler", timeout_seconds=60, visibility_timeout_seconds=300),
        "bad-job": ScheduledJobArgs(handler="h.app.handler", schedule="cron(0 7 * * * *)", time_zone="Mars/Olympus"),
        "bad-route": EventRouteArgs(rules=[Rule("r", {"source": "x"}, [WorkflowTarget(name="w")])]),
        "bad-pipeline": StreamPipelineArgs(handler="h.app.handler", mode="elastic"),
        "bad-changes": TableStreamArgs(source=api.tables["table"], handler="h.app.handler"),
        "bad-flow": WorkflowArgs(definition={"StartAt": "A", "States": {"A": {"Type": "Pass"}}}),
        "bad-api": HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a")], timeout_seconds=60),
        "bad-function": InternalFunctionArgs(handler="not-a-path", memory_mb=64),
        "Bad_Name": InternalFunctionArgs(handler="h.app.handler"),
        "bad-subscriber": TopicArgs(subscribers=[HttpsSubscriber(url="https://a.example.com", name="Partner Hook")]),
        "bad-keys": HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a", auth="api_key")],
                                    usage_plan=UsagePlan(keys=("Web Key",))),
        "bad-gatekeeper": HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/a")],
                                          authorizer=FunctionArgs(handler="h.auth.handler", tables=["revoked"])),
        "bad-tasks": WorkflowArgs(definition=flow, tasks={"a": FunctionArgs(handler="h.a.handler", tables=["x"])}),
        "bad-targets": EventRouteArgs(rules=[
            Rule("one", {"source": ["a"]}, [QueueTarget(name="q", worker=plain),
                                            FunctionTarget(name="f", function=sync.function)]),
            Rule("two", {"source": ["b"]}, [QueueTarget(name="q", worker=plain)])]),
    }
    for name, args in declarations.items():
        try:
            platform.add(name, args)
        except ServiceArgumentError as error:
            REJECTED[name] = error


#: What each bad declaration must name: the argument(s) at fault.
BAD_ARGUMENTS = {
    "bad-topic": ["subscriber fifo-worker: a FIFO queue cannot subscribe to a standard topic"],
    "bad-worker": ["visibility_timeout_seconds = 300"],
    "bad-job": ["schedule = 'cron(0 7 * * * *)'", "time_zone = 'Mars/Olympus'"],
    "bad-route": ["event_pattern['source']", "WorkflowTarget takes a Workflow"],
    "bad-pipeline": ["mode = 'elastic'"],
    "bad-changes": ["source: table platform-dev-plain-api-table has no stream"],
    "bad-flow": ["state 'A': needs Next or End", "TimeoutSeconds must be set"],
    "bad-api": ["timeout_seconds = 60"],
    "bad-function": ["handler = 'not-a-path'", "memory_mb = 64"],
    "Bad_Name": ["name = 'Bad_Name': service and part names must be lowercase letters, digits and '-'"],
    "bad-subscriber": ["subscriber Partner Hook: name must be lowercase letters, digits and '-'"],
    "bad-keys": ["usage_plan.keys: 'Web Key' must be lowercase letters, digits and '-'"],
    "bad-gatekeeper": ["authorizer.tables: ['revoked'] are not tables of this service ([])"],
    "bad-tasks": ["tasks[a].tables: ['x'] are not tables of this service ([])"],
    "bad-targets": ["rule one target f: EventBridge invokes functions asynchronously",
                    "rule two target q: the queue of plain-worker is already the target of rule one target q"],
}


@pytest.fixture(scope="module")
def bad() -> tuple[dict[str, ServiceArgumentError], PlatformView]:
    return REJECTED, catalog().view


@pytest.mark.parametrize("service", sorted(BAD_ARGUMENTS))
def test_a_bad_argument_is_one_error_naming_service_and_argument_before_any_resource(bad, service):
    errors, view = bad
    error = errors[service]
    assert error.service == service
    assert str(error).startswith(f"service '{service}' has invalid arguments ({len(error.problems)}); "
                                 "no resources were created for it:")
    for expected in BAD_ARGUMENTS[service]:
        assert any(expected in problem for problem in error.problems), (expected, error.problems)
    assert [r.name for r in view.resources if r.name == service or r.name.startswith(f"{service}-")] == []


def test_every_bad_declaration_was_rejected_and_none_is_in_the_outputs(bad):
    errors, view = bad
    assert set(errors) == set(BAD_ARGUMENTS)
    assert not set(errors) & set(catalog().view.outputs["services"])


def test_two_services_whose_names_would_collide_fail_the_preview_naming_both():
    def declare(platform: Platform) -> None:
        platform.add("shop", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/x")],
                                             table=TableSpec(hash_key="id", part="audit-log")))
        platform.add("shop-audit", HttpServiceArgs(handler="h.app.handler", routes=[Route("GET", "/y")],
                                                   table=TableSpec(hash_key="id", part="log")))

    with pytest.raises(ProgramError, match="service 'shop-audit' \\(part 'log'\\) would name a dynamodb_table "
                                           "'platform-dev-shop-audit-log', which service 'shop' \\(part 'audit-log'\\)"):
        run_services(declare)
