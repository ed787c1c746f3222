"""The span line contract with the log shipper (docs/telemetry.md)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.trace import Link

from handlers.telemetry import instrument
from handlers.telemetry.span_document import iso_nanos, resource_fields
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import XRAY_HEADER, FakeLambdaContext, api_event, parse_output

NANO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
REQUIRED = {
    "record_type", "traceId", "spanId", "parentSpanId", "traceState", "name", "kind", "startTime", "endTime",
    "durationInNanos", "serviceName", "status.code", "status.message", "traceGroup", "traceGroupFields",
    "events", "links", "droppedAttributesCount", "droppedEventsCount", "droppedLinksCount",
}


def run_with_child(monkeypatch, capsys):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders")
    def handler(event, context):
        producer = trace.SpanContext(0xABC, 0xDEF, is_remote=True)
        with tracing.tracer("orders").start_as_current_span("child", links=[Link(producer, {"why": "test"})]) as child:
            child.add_event("checkpoint", {"step": 2})
            child.set_attribute("db.system.name", "aws.dynamodb")
        return {"statusCode": 201}

    handler(api_event("POST", "/orders"), FakeLambdaContext())
    return parse_output(capsys.readouterr().out).spans


def test_each_span_is_one_line_with_the_trace_analytics_fields(monkeypatch, capsys, log_exporter):
    spans = run_with_child(monkeypatch, capsys)
    assert [span["name"] for span in spans] == ["child", "POST /orders"]
    for span in spans:
        assert REQUIRED <= set(span), REQUIRED - set(span)
        assert span["record_type"] == "span"
        assert re.fullmatch(r"[0-9a-f]{32}", span["traceId"]) and re.fullmatch(r"[0-9a-f]{16}", span["spanId"])
        assert NANO_TIMESTAMP.match(span["startTime"]) and NANO_TIMESTAMP.match(span["endTime"])
        assert span["durationInNanos"] >= 0
        assert span["serviceName"] == "orders"
        assert span["resource.attributes.service@name"] == "orders"


def test_parent_child_and_trace_group_come_from_the_invocation_span(monkeypatch, capsys, log_exporter):
    child, root = run_with_child(monkeypatch, capsys)
    assert child["parentSpanId"] == root["spanId"]
    assert root["parentSpanId"] == "53995c3f42cd8ad8"  # the Lambda's X-Ray segment
    assert root["kind"] == "SPAN_KIND_SERVER" and child["kind"] == "SPAN_KIND_INTERNAL"
    for span in (child, root):
        assert span["traceGroup"] == "POST /orders"
        assert span["traceGroupFields"] == {"endTime": root["endTime"], "durationInNanos": root["durationInNanos"], "statusCode": 0}


def test_attributes_are_flattened_with_at_signs_and_events_links_kept(monkeypatch, capsys, log_exporter):
    child, root = run_with_child(monkeypatch, capsys)
    assert child["span.attributes.db@system@name"] == "aws.dynamodb"
    assert root["span.attributes.http@response@status_code"] == 201
    assert root["span.attributes.faas@coldstart"] is True
    assert not any("." in key[len("span.attributes."):] for key in root if key.startswith("span.attributes."))
    (event,) = child["events"]
    assert event["name"] == "checkpoint" and event["attributes"] == {"step": 2} and NANO_TIMESTAMP.match(event["time"])
    (link,) = child["links"]
    assert link == {"traceId": f"{0xABC:032x}", "spanId": f"{0xDEF:016x}", "traceState": "", "attributes": {"why": "test"}, "droppedAttributesCount": 0}
    assert child["status.code"] == 0 and child["status.message"] == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=4_102_444_800 * 10**9), min_size=1, max_size=20))
def test_timestamps_are_right_in_any_order_despite_the_per_second_cache(epoch_nanos_list):
    for epoch_nanos in epoch_nanos_list:
        seconds, nanos = divmod(epoch_nanos, 10**9)
        expected = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"
        assert iso_nanos(epoch_nanos) == expected


def test_resource_fields_follow_the_resource_they_belong_to():
    first, second = {"service.name": "a"}, {"service.name": "b", "cloud.region": "eu-west-1"}
    assert resource_fields(first) == {"resource.attributes.service@name": "a"}
    assert resource_fields(second) == {"resource.attributes.service@name": "b", "resource.attributes.cloud@region": "eu-west-1"}
    assert resource_fields(first) == {"resource.attributes.service@name": "a"}
