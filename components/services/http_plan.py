"""Pure planning for REST APIs: routes, the resource tree, access-log format, redeploy trigger."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "ANY")
_SEGMENT = re.compile(r"^([a-z0-9][a-z0-9_-]*|\{[a-zA-Z][a-zA-Z0-9_]*\+?\})$")
_HEADER = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_JSON_PATH = re.compile(r"^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$")

#: "default": the service's authorizer when it has one; "public": nobody is asked (say why in the route);
#: "authorizer": the service's Lambda authorizer; "api_key": a key of the service's usage plan.
Auth = Literal["default", "public", "authorizer", "api_key"]
AUTH_MODES = ("default", "public", "authorizer", "api_key")


@dataclass(frozen=True)
class Route:
    """A route to the service's own function (AWS_PROXY). Subclasses send elsewhere, with no function."""

    method: str
    path: str
    auth: Auth = "default"
    #: A JSON schema (draft 4, as API Gateway models take) the request body must match; else a 400.
    schema: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"route {self.method} {self.path}: method must be one of {', '.join(METHODS)}")
        segments = self.path.strip("/").split("/")
        if not self.path.startswith("/") or self.path == "/" or not all(_SEGMENT.fullmatch(s) for s in segments):
            raise ValueError(f"route {self.method} {self.path}: path must be like /orders or /orders/{{order_id}}")
        if self.auth not in AUTH_MODES:
            raise ValueError(f"route {self.method} {self.path}: auth must be one of {', '.join(AUTH_MODES)}")

    @property
    def uses_function(self) -> bool:
        return True

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))

    def shape(self) -> dict[str, Any]:
        """What a deployment must be redone for when it changes."""
        return {"method": self.method, "path": self.path, "auth": self.auth, "schema": self.schema,
                "target": type(self).__name__}


@dataclass(frozen=True)
class QueueRoute(Route):
    """The Scalable Webhook: API Gateway writes the request body to an SQS queue, no function between.

    `queue` is any object with a `queue` attribute of `components.resources.queues.Queue` (a
    `QueueWorker`), or such a Queue. Headers listed in `headers_to_attributes` travel as message attributes.
    """

    queue: Any = None
    headers_to_attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.queue is None:
            raise ValueError(f"route {self.method} {self.path}: a QueueRoute needs a queue")
        for header, attribute in self.headers_to_attributes.items():
            if not _HEADER.fullmatch(header) or not _ATTRIBUTE.fullmatch(attribute):
                raise ValueError(f"route {self.method} {self.path}: header {header!r} -> attribute {attribute!r} "
                                 "must be a header name and an SQS attribute name")

    @property
    def uses_function(self) -> bool:
        return False

    def shape(self) -> dict[str, Any]:
        return {**super().shape(), "headers": dict(sorted(self.headers_to_attributes.items()))}


@dataclass(frozen=True)
class StreamRoute(Route):
    """The Streamer: API Gateway puts the request body on a Kinesis stream, no function between.

    `stream` is any object with `stream_name` and `stream_arn` (a `StreamPipeline`). The partition
    key is read from the body at `partition_key` (a JSON path such as `$.session_id`), so one
    session's events stay in order.
    """

    stream: Any = None
    partition_key: str = "$.id"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.stream is None:
            raise ValueError(f"route {self.method} {self.path}: a StreamRoute needs a stream")
        if not _JSON_PATH.fullmatch(self.partition_key):
            raise ValueError(f"route {self.method} {self.path}: partition_key must be a JSON path like $.session_id")

    @property
    def uses_function(self) -> bool:
        return False

    def shape(self) -> dict[str, Any]:
        return {**super().shape(), "partition_key": self.partition_key}


@dataclass(frozen=True)
class ProxyRoute(Route):
    """The Strangler: the path is served by a legacy HTTP backend until a new service takes it over."""

    url: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?", self.url):
            raise ValueError(f"route {self.method} {self.path}: url must be an https:// URL, got {self.url!r}")

    @property
    def uses_function(self) -> bool:
        return False

    def shape(self) -> dict[str, Any]:
        return {**super().shape(), "url": self.url}


@dataclass(frozen=True)
class ResourceNode:
    path: str
    parent_path: str            # "/" for children of the root resource
    segment: str

    @property
    def slug(self) -> str:
        """A logical-name fragment: `/orders/{order_id}` -> `orders-order_id`."""
        return re.sub(r"[{}+]", "", self.path.strip("/")).replace("/", "-")


def resource_tree(routes: Sequence[Route]) -> list[ResourceNode]:
    """Every API Gateway resource the routes need, parents before children, in a stable order."""
    if not routes:
        raise ValueError("an HTTP service needs at least one route")
    seen = {(r.method, r.path) for r in routes}
    if len(seen) != len(routes):
        raise ValueError("routes must be unique by method and path")
    nodes: dict[str, ResourceNode] = {}
    for route in routes:
        parent = "/"
        for segment in route.segments:
            path = f"{parent.rstrip('/')}/{segment}"
            nodes.setdefault(path, ResourceNode(path=path, parent_path=parent, segment=segment))
            parent = path
    return sorted(nodes.values(), key=lambda n: (n.path.count("/"), n.path))


def method_slug(route: Route) -> str:
    return f"{route.method.lower()}-{ResourceNode(route.path, '/', '').slug}"


#: One JSON object per request; fields cover what an on-call engineer filters by first.
ACCESS_LOG_FIELDS: dict[str, str] = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "requestTimeEpoch": "$context.requestTimeEpoch",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "errorMessage": "$context.error.message",
    "sourceIp": "$context.identity.sourceIp",
    "userAgent": "$context.identity.userAgent",
    "xrayTraceId": "$context.xrayTraceId",
    "stage": "$context.stage",
}


def access_log_format() -> str:
    return json.dumps(ACCESS_LOG_FIELDS, separators=(",", ":"))


def deployment_trigger(routes: Sequence[Route], handler: str | None, extra: Mapping[str, Any] | None = None) -> str:
    """A new deployment exactly when the API's shape changes; stages otherwise keep serving."""
    shape = json.dumps({"routes": sorted((r.shape() for r in routes), key=lambda s: (s["method"], s["path"])),
                        "handler": handler, **(extra or {})}, sort_keys=True, default=str)
    return hashlib.sha256(shape.encode()).hexdigest()


def sqs_send_template(headers_to_attributes: Mapping[str, str], fifo: bool) -> str:
    """The form-encoded SendMessage request API Gateway makes from a webhook call.

    Attributes are sent only for headers the caller set: SQS rejects an attribute with an empty value.
    A FIFO queue gets the request id as message group (each webhook call is its own group) and as
    deduplication id, so a retried delivery of the same API request is not enqueued twice.
    """
    parts = ["Action=SendMessage", "MessageBody=$util.urlEncode($input.body)"]
    if fifo:
        parts += ["MessageGroupId=$context.requestId", "MessageDeduplicationId=$context.requestId"]
    lines = ["&".join(parts)]
    for index, (header, attribute) in enumerate(sorted(headers_to_attributes.items()), start=1):
        variable, prefix = f"header{index}", f"MessageAttribute.{index}"
        lines.append(f"#set(${variable} = $input.params().header.get('{header}'))"
                     f"#if(\"$!{variable}\" != \"\")&{prefix}.Name={attribute}&{prefix}.Value.DataType=String"
                     f"&{prefix}.Value.StringValue=$util.urlEncode(${variable})#end")
    return "".join(lines)


def kinesis_put_template(stream_name: str, partition_key: str) -> str:
    """The PutRecord request API Gateway makes: the body, base64-encoded, keyed by a body field."""
    return json.dumps({"StreamName": stream_name, "Data": "$util.base64Encode($input.body)",
                       "PartitionKey": f"$util.escapeJavaScript($input.path('{partition_key}'))"}, sort_keys=True)
