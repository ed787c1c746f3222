"""The templates map exactly what the shipper writes: every field it can emit has a mapping of
a compatible type, so nothing is silently unindexed or rejected as a mapping conflict."""
from __future__ import annotations

import json
from typing import Any, Iterator

from handlers.log_shipper.cloudwatch_payload import payload_from_json
from handlers.log_shipper.documents import IndexNaming, document_from_event, payload_context
from handlers.opensearch_bootstrap.inputs import parse_bootstrap_input
from handlers.opensearch_bootstrap.templates import (LOG_PROPERTIES, SPAN_PROPERTIES, log_index_template,
                                                     trace_index_template)
from tests.handlers.log_shipper import fixtures

NAMING = IndexNaming("logs-dev", "otel-v1-apm-span-dev", "/platform/dev/", "dev")
COMPATIBLE = {str: {"keyword", "text", "date", "date_nanos"}, bool: {"boolean"}, int: {"integer", "long", "double"},
              float: {"double"}}


def shipped_documents(messages: list[str]) -> list[dict[str, Any]]:
    payload = payload_from_json(fixtures.payload_json(
        "/platform/dev/orders/lambda-api", [fixtures.log_event(n, m) for n, m in enumerate(messages)]))
    context = payload_context(payload, NAMING)
    return [document_from_event(e, context, NAMING).source for e in payload.events]


def leaves(document: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path != "fields":
            yield from leaves(value, path + ".")
        else:
            yield path, value


def mapped_type(properties: dict[str, Any], path: str) -> str | None:
    node: dict[str, Any] = {"properties": properties}
    for part in path.split("."):
        node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return node.get("type", "object")


def telemetry_span_line() -> str:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    from handlers.telemetry.span_document import span_document

    tracer = TracerProvider(resource=Resource.create({"service.name": "orders"})).get_tracer("tests")
    with tracer.start_as_current_span("GET /orders", attributes={"http.route": "/orders", "http.status": 200}) as span:
        span.add_event("retry", {"attempt": 2})
    return json.dumps(span_document(span))


def test_every_log_field_the_shipper_writes_is_mapped_with_a_compatible_type() -> None:
    telemetry_record = json.dumps({"timestamp": "t", "level": "INFO", "message": "m", "service": "orders",
                                   "request_id": "r", "trace_id": "a" * 32, "span_id": "b" * 16,
                                   "xray_trace_id": "1-a-b", "exception": "tb", "exception_type": "E", "k": 1})
    platform_json = json.dumps({"time": "t", "type": "platform.report", "record": {
        "requestId": "r", "status": "success", "metrics": {"durationMs": 1.5, "billedDurationMs": 2,
                                                           "memorySizeMB": 128, "maxMemoryUsedMB": 60,
                                                           "initDurationMs": 100.0, "restoreDurationMs": 3.0},
        "tracing": {"value": "Root=1-a-b"}}})
    messages = fixtures.mixed_messages(400) + [telemetry_record, platform_json, "[ERROR]\tt\tr\tboom\n",
                                               "INIT_START Runtime Version: python:3.12.v40\tRuntime Version ARN: arn\n",
                                               '{"logger": "app", "message": "x"}']
    seen = set()
    for document in shipped_documents(messages):
        if "traceId" in document:
            continue
        for path, value in leaves(document):
            seen.add(path)
            kind = mapped_type(LOG_PROPERTIES, path)
            assert kind is not None, f"{path} is written by the shipper but not mapped"
            if path != "fields":
                assert kind in COMPATIBLE[type(value)], f"{path}={value!r} does not fit {kind}"
    unused = {path for path in _all_paths(LOG_PROPERTIES)} - seen
    assert unused <= {"lambda.error_type"}, f"mapped but never written: {unused}"


def _all_paths(properties: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, node in properties.items():
        if "properties" in node:
            yield from _all_paths(node["properties"], f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def test_every_span_field_from_the_telemetry_package_is_mapped() -> None:
    [document] = shipped_documents([telemetry_span_line()])
    dynamic = ("span.attributes.", "resource.attributes.")
    for key, value in document.items():
        if key.startswith(dynamic):
            continue
        kind = mapped_type(SPAN_PROPERTIES, key)
        assert kind is not None, f"span field {key} is not mapped"
        if not isinstance(value, (dict, list)):
            assert kind in COMPATIBLE[type(value)], f"{key}={value!r} does not fit {kind}"
    assert any(key.startswith("span.attributes.") for key in document)


def test_log_mapping_is_closed_and_trace_mapping_does_not_guess_dates() -> None:
    spec = parse_bootstrap_input({"stack": "dev", "log_index_prefix": "logs-dev", "trace_index_prefix": "otel-dev",
                                  "log_retention_days": 1, "trace_retention_days": 1,
                                  "writer_role_arns": ["arn:aws:iam::123456789012:role/r"]})
    assert log_index_template(spec)[1]["template"]["mappings"]["dynamic"] is False
    assert LOG_PROPERTIES["fields"] == {"type": "flat_object"}
    assert trace_index_template(spec)[1]["template"]["mappings"]["date_detection"] is False
