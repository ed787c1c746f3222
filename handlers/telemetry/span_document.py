"""Finished OpenTelemetry spans as OpenSearch Trace Analytics documents.

The shape is Data Prepper's `otel-v1-apm-span` index document, so the log shipper can send
span lines to the trace index unchanged and OpenSearch Dashboards' Trace Analytics works
without a collector or Data Prepper in the path. docs/telemetry.md pins the exact shape.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Mapping, Sequence

RECORD_TYPE_KEY = "record_type"
SPAN_RECORD_TYPE = "span"
SPAN_KIND_NAMES = ("SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER")


_last_second: tuple[int, str] = (-1, "")  # one invocation's spans start and end within few seconds


def iso_nanos(epoch_nanos: int | None) -> str | None:
    global _last_second
    if epoch_nanos is None:
        return None
    seconds, nanos = divmod(epoch_nanos, 1_000_000_000)
    cached = _last_second  # read once: another thread may replace it, never half of it
    if cached[0] != seconds:
        cached = _last_second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    return "%s.%09dZ" % (cached[1], nanos)  # %-formatting: an f-string's `:09d` costs twice as much


def attribute_field(key: str) -> str:
    """Data Prepper replaces '.' with '@' so that `http.method` stays one flat keyword field."""
    return key.replace(".", "@")


def plain_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def flatten_attributes(prefix: str, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    if not attributes:
        return {}
    return {f"{prefix}{attribute_field(key)}": plain_value(value) for key, value in attributes.items()}


_last_resource: tuple[Any, dict[str, Any]] = (None, {})


def resource_fields(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Flattened resource attributes; the resource is the same for every span of the process."""
    global _last_resource
    cached = _last_resource
    if cached[0] is not attributes:
        cached = _last_resource = (attributes, flatten_attributes("resource.attributes.", attributes))
    return cached[1]


def _dropped(span: Any, name: str) -> int:
    return int(getattr(span, name, 0) or 0)


def local_roots(spans: Sequence[Any]) -> dict[int, Any]:
    """For each span id, the top-most ancestor of that span within this batch.

    Data Prepper fills `traceGroup` from a trace's root span. Our spans' true root is usually
    the X-Ray segment Lambda or API Gateway created, which never reaches OpenSearch, so the
    invocation span (the top of what this process recorded) is used as the trace group.
    """
    by_id = {span.context.span_id: span for span in spans}
    roots: dict[int, Any] = {}
    for span in spans:
        top = span
        seen = {top.context.span_id}
        while top.parent is not None and top.parent.span_id in by_id and top.parent.span_id not in seen:
            top = by_id[top.parent.span_id]
            seen.add(top.context.span_id)
        roots[span.context.span_id] = top
    return roots


def span_document(span: Any, trace_group: Any | None = None) -> dict[str, Any]:
    context = span.context
    group = trace_group if trace_group is not None else span
    duration = (span.end_time or span.start_time) - span.start_time
    group_duration = (group.end_time or group.start_time) - group.start_time
    end_time = iso_nanos(span.end_time)
    resource_attributes = getattr(getattr(span, "resource", None), "attributes", None)
    document: dict[str, Any] = {
        RECORD_TYPE_KEY: SPAN_RECORD_TYPE,
        "traceId": f"{context.trace_id:032x}",
        "spanId": f"{context.span_id:016x}",
        "parentSpanId": f"{span.parent.span_id:016x}" if span.parent is not None else "",
        "traceState": context.trace_state.to_header() if context.trace_state else "",
        "name": span.name,
        "kind": SPAN_KIND_NAMES[span.kind.value],
        "startTime": iso_nanos(span.start_time),
        "endTime": end_time,
        "durationInNanos": duration,
        "serviceName": (resource_attributes or {}).get("service.name", ""),
        "status.code": span.status.status_code.value,
        "status.message": span.status.description or "",
        "traceGroup": group.name,
        "traceGroupFields": {
            "endTime": end_time if group is span else iso_nanos(group.end_time),
            "durationInNanos": group_duration,
            "statusCode": group.status.status_code.value,
        },
        "events": [
            {
                "name": event.name,
                "time": iso_nanos(event.timestamp),
                "attributes": {key: plain_value(value) for key, value in (event.attributes or {}).items()},
                "droppedAttributesCount": _dropped(event, "dropped_attributes"),
            }
            for event in span.events
        ],
        "links": [
            {
                "traceId": f"{link.context.trace_id:032x}",
                "spanId": f"{link.context.span_id:016x}",
                "traceState": link.context.trace_state.to_header() if link.context.trace_state else "",
                "attributes": {key: plain_value(value) for key, value in (link.attributes or {}).items()},
                "droppedAttributesCount": _dropped(link, "dropped_attributes"),
            }
            for link in span.links
        ],
        "droppedAttributesCount": _dropped(span, "dropped_attributes"),
        "droppedEventsCount": _dropped(span, "dropped_events"),
        "droppedLinksCount": _dropped(span, "dropped_links"),
    }
    scope = getattr(span, "instrumentation_scope", None)
    if scope is not None:
        document["instrumentationScope.name"] = scope.name
        document["instrumentationScope.version"] = scope.version or ""
    document.update(flatten_attributes("span.attributes.", span.attributes))
    document.update(resource_fields(resource_attributes))
    return document


def span_documents(spans: Iterable[Any]) -> list[dict[str, Any]]:
    batch = list(spans)
    roots = local_roots(batch)
    return [span_document(span, roots[span.context.span_id]) for span in batch]
