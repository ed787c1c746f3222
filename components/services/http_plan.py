"""Pure planning for REST APIs: routes, the resource tree, access-log format, redeploy trigger."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Sequence

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "ANY")
_SEGMENT = re.compile(r"^([a-z0-9][a-z0-9_-]*|\{[a-zA-Z][a-zA-Z0-9_]*\+?\})$")


@dataclass(frozen=True)
class Route:
    method: str
    path: str

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"route {self.method} {self.path}: method must be one of {', '.join(METHODS)}")
        segments = self.path.strip("/").split("/")
        if not self.path.startswith("/") or self.path == "/" or not all(_SEGMENT.match(s) for s in segments):
            raise ValueError(f"route {self.method} {self.path}: path must be like /orders or /orders/{{order_id}}")

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))


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


def deployment_trigger(routes: Sequence[Route], handler: str) -> str:
    """A new deployment exactly when the API's shape changes; stages otherwise keep serving."""
    shape = json.dumps({"routes": sorted((r.method, r.path) for r in routes), "handler": handler})
    return hashlib.sha256(shape.encode()).hexdigest()
