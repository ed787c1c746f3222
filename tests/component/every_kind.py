"""One synthetic service of every kind, declared the way `__main__.py` declares the café's.

The component tests run these on an empty platform, and the stack tests add them to the reference
platform (`run_stack(stack, extend=declare_every_kind)`): whatever kinds exist, a user adding one
of each must get a stack that still passes every invariant. The services name nothing of the
reference platform, so its service list can change freely.

Every wiring option is used at least once: ingest routes into a queue and a stream, an authorizer,
usage plans with API keys, a proxy route to a legacy backend, queue, function, HTTPS and e-mail
subscribers with a filter policy, workflow, function and queue targets on a custom and the default
bus, async invocation with and without an on-failure destination, a table stream, a scheduled job
that calls an internal function, and a workflow that publishes to a topic.
"""
from __future__ import annotations

from typing import Any

from components.platform import Platform
from components.services.event_route import (EventRouteArgs, FunctionTarget, InputTransformer, QueueTarget, Rule,
                                             WorkflowTarget)
from components.services.function import AsyncInvocation, FunctionArgs
from components.services.http_plan import ProxyRoute, QueueRoute, Route, StreamRoute
from components.services.http_service import HttpServiceArgs, TableSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.rest_api import Ingest, UsagePlan
from components.services.scheduled_job import ScheduledJobArgs
from components.services.stream_pipeline import Archive, StreamPipelineArgs
from components.services.table_stream import TableStreamArgs
from components.services.topic import EmailSubscriber, FunctionSubscriber, HttpsSubscriber, QueueSubscriber, TopicArgs
from components.services.workflow import WorkflowArgs

PREFIX = "ext"
KINDS = ("http", "queue-worker", "topic", "event-route", "scheduled-job", "stream-pipeline", "table-stream",
         "workflow", "internal-function")
BODY = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["id"],
        "properties": {"id": {"type": "string", "minLength": 1}}}
FLOW = {
    "StartAt": "Check", "TimeoutSeconds": 120,
    "States": {
        "Check": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "${function:check}", "Payload.$": "$"}, "Next": "Tell",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Undo"}]},
        "Tell": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                 "Parameters": {"TopicArn": "${topic:notices}", "Message.$": "States.JsonToString($)"}, "End": True},
        "Undo": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Parameters": {"FunctionName": "${function:undo}", "Payload.$": "$"}, "Next": "Failed"},
        "Failed": {"Type": "Fail", "Error": "CheckFailed"},
    },
}


def name(part: str) -> str:
    return f"{PREFIX}-{part}"


def declare_every_kind(platform: Platform) -> dict[str, Any]:
    """Adds one service of every kind (several for the kinds with several shapes); returns them by name."""
    add = platform.add
    s: dict[str, Any] = {}
    s["lookup"] = add(name("lookup"), InternalFunctionArgs(
        handler="handlers.ext.lookup.handler", description="Synchronous lookups for other services",
        tables=[TableSpec(hash_key="key", actions=("dynamodb:GetItem",))]))
    s["handoff"] = add(name("handoff"), InternalFunctionArgs(
        handler="handlers.ext.handoff.handler", low_traffic=True,
        async_invocation=AsyncInvocation(max_retries=1, max_event_age_seconds=3600)))
    s["inbox"] = add(name("inbox"), QueueWorkerArgs(
        handler="handlers.ext.inbox.handler", idempotency=True, max_concurrency=3, batch_size=50,
        batching_window_seconds=5, tables=[TableSpec(hash_key="id", actions=("dynamodb:PutItem",))],
        ingest=Ingest(path="/inbox", schema=BODY, headers_to_attributes={"X-Signature": "signature"})))
    s["tickets"] = add(name("tickets"), QueueWorkerArgs(handler="handlers.ext.tickets.handler", fifo=True,
                                                        content_based_deduplication=True))
    s["listener"] = add(name("listener"), QueueWorkerArgs(handler="handlers.ext.listener.handler"))
    s["events"] = add(name("events"), TopicArgs(fifo=True, subscribers=[QueueSubscriber(worker=s["tickets"])]))
    s["notices"] = add(name("notices"), TopicArgs(subscribers=[
        QueueSubscriber(worker=s["listener"], filter_policy={"kind": ["important"]}),
        FunctionSubscriber(function=s["handoff"].function, filter_policy={"level": ["high"]}, filter_on="body"),
        HttpsSubscriber(url="https://hooks.example.com/notices", name="partner"),
        EmailSubscriber(addresses=["ops@example.com"])]))
    s["clicks"] = add(name("clicks"), StreamPipelineArgs(
        handler="handlers.ext.clicks.handler", archive=Archive(buffer_seconds=60),
        ingest=Ingest(path="/clicks", auth="api_key", schema=BODY, partition_key="$.id",
                      usage_plan=UsagePlan(keys=("web",), rate_limit=20, burst_limit=40))))
    s["api"] = add(name("api"), HttpServiceArgs(
        handler="handlers.ext.api.handler",
        routes=[Route("POST", "/items", schema=BODY), Route("GET", "/items/{item_id}"),
                Route("GET", "/health", auth="public"), Route("GET", "/partners", auth="api_key"),
                ProxyRoute("ANY", "/legacy/{proxy+}", url="https://legacy.example.com/app"),
                QueueRoute("POST", "/hooks", auth="api_key", queue=s["inbox"]),
                StreamRoute("PUT", "/beacons", auth="authorizer", stream=s["clicks"], partition_key="$.id")],
        table=TableSpec(hash_key="item_id", stream="NEW_AND_OLD_IMAGES"), idempotency=True,
        authorizer=FunctionArgs(handler="handlers.ext.authorizer.handler", secrets={"SIGNING_KEY_ARN": "k" * 32}),
        usage_plan=UsagePlan(keys=("partner", "internal"), quota_per_day=10000)))
    s["changes"] = add(name("changes"), TableStreamArgs(
        source=s["api"].tables["table"], handler="handlers.ext.changes.handler", event_names=["INSERT", "MODIFY"],
        access=[s["notices"].publish_access("NOTICES_TOPIC_ARN")]))
    s["flow"] = add(name("flow"), WorkflowArgs(
        definition=FLOW, topics={"notices": s["notices"]},
        tasks={"check": FunctionArgs(handler="handlers.ext.check.handler", tables=["ledger"]),
               "undo": FunctionArgs(handler="handlers.ext.undo.handler", tables=())},
        tables=[TableSpec(hash_key="id", part="ledger", env_var="LEDGER_TABLE")]))
    s["sink"] = add(name("sink"), InternalFunctionArgs(
        handler="handlers.ext.sink.handler",
        async_invocation=AsyncInvocation(on_failure=s["notices"].arn, on_success=s["listener"].queue.arn),
        access=[s["notices"].publish_access("FAILED_TOPIC_ARN"), s["listener"].send_access("DONE_QUEUE_URL")]))
    s["drain"] = add(name("drain"), QueueWorkerArgs(handler="handlers.ext.drain.handler"))
    s["router"] = add(name("router"), EventRouteArgs(rules=[
        Rule("placed", {"source": ["ext.api"], "detail-type": ["Placed"]}, targets=[
            WorkflowTarget(name="flow", workflow=s["flow"],
                           input_transformer=InputTransformer({"detail": "$.detail"}, "<detail>")),
            FunctionTarget(name="sink", function=s["sink"].function, max_retries=3, max_event_age_seconds=600)]),
        Rule("paid", {"source": ["ext.api"], "detail": {"status": ["paid"]}},
             targets=[QueueTarget(name="drain", worker=s["drain"])])]))
    s["audit"] = add(name("audit"), EventRouteArgs(bus="default", rules=[
        Rule("console", {"source": ["aws.signin"]}, targets=[FunctionTarget(name="handoff",
                                                                           function=s["handoff"].function)])]))
    s["nightly"] = add(name("nightly"), ScheduledJobArgs(
        handler="handlers.ext.nightly.handler", schedule="cron(30 2 ? * MON-FRI *)", time_zone="Europe/Lisbon",
        payload={"report": "daily"}, flexible_window_minutes=10,
        access=[s["lookup"].invoke_access("LOOKUP_FUNCTION"), s["router"].put_access("EVENT_BUS_NAME")]))
    s["pulse"] = add(name("pulse"), ScheduledJobArgs(handler="handlers.ext.pulse.handler", schedule="rate(5 minutes)"))
    return s
