"""What kind of event started an invocation, and the span attributes that describe it.

Pure functions of (event, context) so each trigger's mapping is unit-tested directly.
"""

from __future__ import annotations

from collections.abc import Mapping  # typing.Mapping checks instances several times slower
from functools import lru_cache
from typing import Any

from opentelemetry.trace import SpanKind


class Trigger:
    """A plain slotted class: a dataclass costs ~0.5 ms of cold start to generate."""

    __slots__ = ("kind", "faas_trigger", "source")

    def __init__(self, kind: SpanKind, faas_trigger: str, source: str) -> None:
        self.kind = kind
        self.faas_trigger = faas_trigger  # OpenTelemetry faas.trigger: http, pubsub, datasource, timer, other
        self.source = source  # short name of the event source, e.g. api_gateway, sqs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trigger) and (self.kind, self.faas_trigger, self.source) == (other.kind, other.faas_trigger, other.source)

    def __repr__(self) -> str:
        return f"Trigger({self.kind!r}, {self.faas_trigger!r}, {self.source!r})"


# Every trigger `classify` can answer, made once: one is needed per invocation, and nothing changes them.
API_GATEWAY = Trigger(SpanKind.SERVER, "http", "api_gateway")
SQS = Trigger(SpanKind.CONSUMER, "pubsub", "sqs")
SNS = Trigger(SpanKind.CONSUMER, "pubsub", "sns")
DATA_SOURCES = {source: Trigger(SpanKind.CONSUMER, "datasource", source.split(":", 1)[1])
                for source in ("aws:kinesis", "aws:dynamodb", "aws:s3")}
SCHEDULE = Trigger(SpanKind.CONSUMER, "timer", "eventbridge")
EVENTBRIDGE = Trigger(SpanKind.CONSUMER, "pubsub", "eventbridge")
DIRECT = Trigger(SpanKind.INTERNAL, "other", "direct")


def first_record(event: Any) -> Mapping[str, Any] | None:
    records = event.get("Records") if isinstance(event, Mapping) else None
    if isinstance(records, list) and records and isinstance(records[0], Mapping):
        return records[0]
    return None


def classify(event: Any) -> Trigger:
    if isinstance(event, Mapping):
        request_context = event.get("requestContext")
        if isinstance(request_context, Mapping) and ("httpMethod" in event or "http" in request_context):
            return API_GATEWAY
        record = first_record(event)
        if record is not None:
            source = record.get("eventSource") or record.get("EventSource")
            if source == "aws:sqs":
                return SQS
            if source == "aws:sns":
                return SNS
            if source in ("aws:kinesis", "aws:dynamodb", "aws:s3"):  # a tuple: `source` may be unhashable
                return DATA_SOURCES[source]
        if "detail-type" in event and "source" in event and "detail" in event:
            return SCHEDULE if event.get("detail-type") == "Scheduled Event" else EVENTBRIDGE
    return DIRECT


def account_id(function_arn: str | None) -> str | None:
    """arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]"""
    parts = (function_arn or "").split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def region_from_arn(function_arn: str | None) -> str | None:
    parts = (function_arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else None


def source_name(arn: Any) -> str | None:
    """The queue, topic, stream or table an event source ARN names.

    The resource part can itself contain colons (a DynamoDB stream label is a timestamp), so
    the ARN is split at its first five colons only. Kinesis: `stream/<name>`; DynamoDB streams:
    `table/<name>/stream/<label>`; SQS and SNS: the bare name (a subscription ARN adds `:<id>`).
    """
    if not isinstance(arn, str) or arn.count(":") < 5:
        return None
    resource = arn.split(":", 5)[5]
    kind, _, rest = resource.partition("/")
    if kind in ("stream", "table") and rest:
        return rest.split("/", 1)[0]
    return resource.split(":", 1)[0] or None


def span_name(event: Any, trigger: Trigger, function_name: str) -> str:
    if trigger.source == "api_gateway":
        method = event.get("httpMethod") or event.get("requestContext", {}).get("http", {}).get("method") or "HTTP"
        route = event.get("resource") or event.get("routeKey") or event.get("path") or ""
        route = route.split(" ", 1)[-1] if " " in route else route
        return f"{method} {route}".strip()
    if trigger.source in ("sqs", "sns", "kinesis", "dynamodb"):
        record = first_record(event) or {}
        arn = record.get("eventSourceARN") or (record.get("Sns") or {}).get("TopicArn") or record.get("EventSubscriptionArn")
        return f"{source_name(arn) or trigger.source} process"
    if trigger.source == "eventbridge":
        return f"{event.get('detail-type')} process"
    return function_name


def invocation_attributes(event: Any, context: Any, trigger: Trigger, cold_start: bool, region: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "faas.trigger": trigger.faas_trigger,
        "faas.coldstart": cold_start,
        "cloud.provider": "aws",
        "cloud.platform": "aws_lambda",
    }
    invocation_id = getattr(context, "aws_request_id", None)
    if isinstance(invocation_id, str) and invocation_id:
        attributes["faas.invocation_id"] = invocation_id
    function = (getattr(context, "function_name", None), getattr(context, "function_version", None),
                getattr(context, "invoked_function_arn", None), region)
    try:
        attributes.update(_function_attributes(*function))
    except TypeError:  # a context double holding something unhashable: not worth caching
        attributes.update(_function_attributes.__wrapped__(*function))
    if trigger.source == "api_gateway":
        attributes.update(http_attributes(event))
    elif trigger.source in ("sqs", "sns", "kinesis", "dynamodb"):
        attributes["messaging.system"] = f"aws_{trigger.source}"
        attributes["messaging.operation.type"] = "process"
        attributes["messaging.batch.message_count"] = len(event.get("Records") or [])
    elif trigger.source == "eventbridge":
        attributes["messaging.system"] = "aws_eventbridge"
        attributes["messaging.message.id"] = str(event.get("id", ""))
        attributes["aws.eventbridge.source"] = str(event.get("source", ""))
        attributes["aws.eventbridge.detail_type"] = str(event.get("detail-type", ""))
    return attributes


@lru_cache(maxsize=8)
def _function_attributes(name: Any, version: Any, arn: Any, region: str | None) -> dict[str, str]:
    """The attributes naming the function: the same for every invocation of a process, so worked
    out once (the caller only reads the dict)."""
    optional = {
        "faas.name": name,
        "faas.version": version,
        "cloud.resource_id": arn,
        "cloud.account.id": account_id(arn if isinstance(arn, str) else None),
        "cloud.region": region or region_from_arn(arn if isinstance(arn, str) else None),
    }
    return {key: value for key, value in optional.items() if isinstance(value, str) and value}


def http_attributes(event: Mapping[str, Any]) -> dict[str, Any]:
    request_context = event.get("requestContext") or {}
    http = request_context.get("http") or {}
    identity = request_context.get("identity") or {}
    attributes = {
        "http.request.method": event.get("httpMethod") or http.get("method"),
        "http.route": event.get("resource") or (event.get("routeKey") or "").split(" ", 1)[-1] or None,
        "url.path": event.get("path") or event.get("rawPath"),
        "client.address": identity.get("sourceIp") or http.get("sourceIp"),
        "user_agent.original": identity.get("userAgent") or http.get("userAgent"),
        "aws.api_gateway.request_id": request_context.get("requestId"),
        "aws.api_gateway.stage": request_context.get("stage"),
    }
    return {key: value for key, value in attributes.items() if isinstance(value, str) and value}


def http_status(result: Any) -> int | None:
    if isinstance(result, Mapping):
        status = result.get("statusCode")
        if isinstance(status, int) and not isinstance(status, bool):
            return status
    return None
