"""Injection limits and formats, extraction precedence, and malformed input handling."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState

from handlers.telemetry import instrument, propagation
from handlers.telemetry.xray_header import LINEAGE_KEY
from tests.handlers.telemetry.helpers import FakeLambdaContext, dynamodb_record, kinesis_record, parse_output, sqs_record

TRACE_ID = 0x5759E988BD862E3FE1BE46A994272793
SPAN_ID = 0x53995C3F42CD8AD8
TRACEPARENT = f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"
XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
OTHER_XRAY = "Root=1-11111111-222222222222222222222222;Parent=3333333333333333;Sampled=1"


@pytest.fixture
def active_span():
    span_context = SpanContext(TRACE_ID, SPAN_ID, is_remote=False, trace_flags=TraceFlags(1), trace_state=TraceState([("vendor", "v1")]))
    ctx = trace.set_span_in_context(NonRecordingSpan(span_context))
    ctx = otel_context.set_value(LINEAGE_KEY, "a87bd80c:1", ctx)
    token = otel_context.attach(ctx)
    yield span_context
    otel_context.detach(token)


def attributes(count: int) -> dict:
    return {f"a{index}": {"DataType": "String", "StringValue": "x"} for index in range(count)}


def test_current_headers_carry_w3c_xray_and_lineage(active_span):
    headers = propagation.current_headers()
    assert headers["traceparent"] == TRACEPARENT
    assert headers["tracestate"] == "vendor=v1"
    assert headers["X-Amzn-Trace-Id"] == XRAY + ";Lineage=a87bd80c:1"


def test_no_active_span_means_nothing_is_injected():
    entry = {"MessageBody": "x"}
    assert propagation.inject_sqs(entry) == entry
    assert propagation.inject_sns({"Message": "x"}) == {"Message": "x"}


def test_sqs_gets_w3c_attributes_and_the_xray_system_attribute(active_span):
    entry = propagation.inject_sqs({"MessageBody": "x", "MessageAttributes": attributes(2)})
    assert entry["MessageAttributes"]["traceparent"] == {"DataType": "String", "StringValue": TRACEPARENT}
    assert entry["MessageAttributes"]["tracestate"]["StringValue"] == "vendor=v1"
    assert len(entry["MessageAttributes"]) == 4
    assert entry["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"].startswith(XRAY)


@pytest.mark.parametrize(("existing", "expected_names"), [(8, {"traceparent", "tracestate"}), (9, {"traceparent"}), (10, set())])
def test_sqs_never_exceeds_ten_message_attributes(active_span, capsys, existing, expected_names):
    entry = propagation.inject_sqs({"MessageBody": "x", "MessageAttributes": attributes(existing)})
    assert len(entry["MessageAttributes"]) <= 10
    assert set(entry["MessageAttributes"]) - set(attributes(existing)) == expected_names
    assert "AWSTraceHeader" in entry["MessageSystemAttributes"]  # not counted against the limit
    warnings = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "WARNING"]
    assert bool(warnings) == (len(expected_names) < 2)


def test_sns_injection_priority_under_the_limit(active_span, capsys):
    entry = propagation.inject_sns({"Message": "x", "MessageAttributes": attributes(8)})
    assert set(entry["MessageAttributes"]) - set(attributes(8)) == {"traceparent", "X-Amzn-Trace-Id"}
    (warning,) = parse_output(capsys.readouterr().out).logs
    assert warning["skipped_attributes"] == ["tracestate"]
    full = propagation.inject_sns({"Message": "x", "MessageAttributes": attributes(12)})
    assert full["MessageAttributes"] == attributes(12)  # the caller's own problem, but we add nothing


def test_eventbridge_detail_and_trace_header(active_span):
    entry = propagation.inject_eventbridge({"Source": "orders", "DetailType": "OrderCreated", "Detail": json.dumps({"order_id": "o1"})})
    detail = json.loads(entry["Detail"])
    assert detail["order_id"] == "o1"
    assert detail["_trace_context"]["traceparent"] == TRACEPARENT
    assert entry["TraceHeader"].startswith(XRAY)


def test_eventbridge_detail_that_is_not_an_object_is_left_alone_with_a_warning(active_span, capsys):
    entry = propagation.inject_eventbridge({"Detail": "[1, 2]"})
    assert entry["Detail"] == "[1, 2]"
    assert "not a JSON object" in parse_output(capsys.readouterr().out).logs[0]["message"]


def test_step_functions_input_and_trace_header(active_span):
    kwargs = propagation.inject_stepfunctions({"stateMachineArn": "arn", "input": json.dumps({"a": 1})})
    payload = json.loads(kwargs["input"])
    assert payload["_trace_context"]["traceparent"] == TRACEPARENT
    assert kwargs["traceHeader"].startswith(XRAY)
    assert propagation.strip_trace_context(payload) == {"a": 1}


def attribute(value: str) -> dict:
    return {"stringValue": value, "dataType": "String"}


def test_w3c_wins_over_the_xray_system_attribute():
    record = sqs_record("x", message_attributes={"traceparent": attribute(TRACEPARENT)}, attributes={"AWSTraceHeader": OTHER_XRAY})
    found = propagation.extract_record(record)
    assert found.span_context.trace_id == TRACE_ID and found.source.endswith("traceparent")


def test_xray_system_attribute_is_used_without_w3c():
    found = propagation.extract_record(sqs_record("x", attributes={"AWSTraceHeader": XRAY}))
    assert (found.span_context.trace_id, found.span_context.span_id) == (TRACE_ID, SPAN_ID)


def test_sns_non_raw_envelope_inside_sqs_is_unwrapped():
    envelope = {"Type": "Notification", "Message": "{}", "MessageAttributes": {"traceparent": {"Type": "String", "Value": TRACEPARENT}}}
    found = propagation.extract_record(sqs_record(json.dumps(envelope)))
    assert found.span_context.span_id == SPAN_ID and "sns_envelope" in found.source


def test_eventbridge_event_inside_sqs_and_direct():
    event = {"id": "1", "source": "orders", "detail-type": "T", "detail": {"_trace_context": {"traceparent": TRACEPARENT}}}
    assert propagation.extract_record(sqs_record(json.dumps(event))).span_context.span_id == SPAN_ID
    assert propagation.extract_record(event).span_context.span_id == SPAN_ID


def test_direct_sns_records_link_the_invocation_span(spans):
    @instrument(service="notify")
    def handler(event, context):
        return None

    record = {"EventSource": "aws:sns", "Sns": {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": "m", "MessageAttributes": {"traceparent": {"Type": "String", "Value": TRACEPARENT}}}}
    handler({"Records": [record, record]}, FakeLambdaContext())
    (root,) = spans.get_finished_spans()
    assert [link.context.span_id for link in root.links] == [SPAN_ID, SPAN_ID]


MALFORMED = [
    {"traceparent": attribute("garbage")},
    {"traceparent": attribute("00-" + "0" * 32 + "-" + "1" * 16 + "-01")},  # all-zero trace id
    {"traceparent": attribute(f"00-{TRACE_ID:032x}-{SPAN_ID:016x}")},  # missing flags
    {"traceparent": attribute(f"00-{TRACE_ID:031x}g-{SPAN_ID:016x}-01")},  # bad hex
    {"traceparent": attribute("00-" + "a" * 600)},  # oversized
    {"traceparent": {"binaryValue": "AAAA", "dataType": "Binary"}},  # wrong type
    {"X-Amzn-Trace-Id": attribute("Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8;Sampled=1")},  # short root
    {"X-Amzn-Trace-Id": attribute("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz;Sampled=1")},
    {"X-Amzn-Trace-Id": attribute("Root;Parent")},
]


@pytest.mark.parametrize("message_attributes", MALFORMED)
def test_malformed_context_gives_a_new_unlinked_record_span_and_a_warning(message_attributes, spans, capsys):
    from handlers.telemetry.batch import process_sqs_batch

    @instrument(service="consumer")
    def handler(event, context):
        return process_sqs_batch(event, context, lambda record: None)

    result = handler({"Records": [sqs_record("{}", message_attributes=message_attributes)]}, FakeLambdaContext())
    assert result == {"batchItemFailures": []}
    record_span, root = spans.get_finished_spans()
    assert record_span.links == () and record_span.parent.span_id == root.context.span_id
    assert record_span.context.trace_id != TRACE_ID
    warnings = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "WARNING"]
    assert warnings and "malformed" in warnings[0]["message"]


@pytest.mark.parametrize("header", ["", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=7", "x" * 300, 42])
def test_malformed_aws_trace_header_system_attribute(header, capsys):
    record = sqs_record("x", attributes={"AWSTraceHeader": header})
    assert propagation.extract_record(record) is None


def test_garbage_embedded_trace_context_is_ignored_with_a_warning(capsys):
    assert propagation.extract_record({"_trace_context": "nope"}) is None
    assert propagation.extract_record(sqs_record('{"_trace_context": [1]}')) is None
    assert propagation.extract_record(sqs_record("{not json")) is None
    assert len(parse_output(capsys.readouterr().out).logs) == 2


def test_item_trace_context_is_what_dynamodb_stream_consumers_read(active_span):
    context = propagation.item_trace_context()
    assert context == {"traceparent": TRACEPARENT, "tracestate": "vendor=v1", "xray": XRAY + ";Lineage=a87bd80c:1"}
    image = {"order_id": {"S": "o1"}, "trace_context": {"M": {name: {"S": value} for name, value in context.items()}}}
    found = propagation.extract_record(dynamodb_record(image, "1"))
    assert (found.span_context.trace_id, found.span_context.span_id) == (TRACE_ID, SPAN_ID)
    assert found.span_context.trace_state.get("vendor") == "v1"


def test_item_trace_context_without_a_span_is_empty():
    assert propagation.item_trace_context() == {}


def test_dynamodb_xray_is_used_when_traceparent_is_malformed():
    image = {"trace_context": {"M": {"traceparent": {"S": "garbage"}, "xray": {"S": XRAY}}}}
    found = propagation.extract_record(dynamodb_record(image, "1"))
    assert found.source == "dynamodb.new_image.trace_context.X-Amzn-Trace-Id" and found.span_context.span_id == SPAN_ID


def test_kinesis_injected_context_wins_over_a_traceparent_field():
    other = "00-" + "1" * 32 + "-" + "2" * 16 + "-01"
    record = kinesis_record(json.dumps({"traceparent": other, "_trace_context": {"traceparent": TRACEPARENT}}), "1")
    assert propagation.extract_record(record).span_context.trace_id == TRACE_ID


def test_kinesis_garbage_embedded_trace_context_is_ignored_with_a_warning(capsys):
    assert propagation.extract_record(kinesis_record(json.dumps({"_trace_context": "nope"}), "1")) is None
    (warning,) = parse_output(capsys.readouterr().out).logs
    assert warning["source"] == "kinesis.data.payload"


@settings(max_examples=200, deadline=None)
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                      st.dictionaries(st.sampled_from(["traceparent", "tracestate", "_trace_context", "detail", "Type", "x"]),
                                      st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=60),
                                                   lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=15), inner, max_size=3),
                                                   max_leaves=8)).map(lambda value: json.dumps(value).encode())))
def test_any_kinesis_data_gives_a_valid_context_or_none(data):
    found = propagation.extract_record(kinesis_record(data, "1"))
    assert found is None or found.span_context.is_valid


DYNAMODB_VALUES = st.recursive(
    st.none() | st.text(max_size=60) | st.integers() | st.fixed_dictionaries({"S": st.text(max_size=60)}) | st.just({"S": TRACEPARENT}) | st.just({"S": XRAY}),
    lambda inner: st.dictionaries(st.sampled_from(["M", "S", "N", "L", "traceparent", "tracestate", "xray"]), inner, max_size=4) | st.lists(inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(attribute=DYNAMODB_VALUES)
def test_any_dynamodb_trace_context_attribute_gives_a_valid_context_or_none(attribute):
    found = propagation.extract_record(dynamodb_record({"order_id": {"S": "o1"}, "trace_context": attribute}, "1"))
    assert found is None or found.span_context.is_valid


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:sqs:us-east-1:123456789012:orders-events", "orders-events"),
        ("arn:aws:sqs:us-east-1:123456789012:orders.fifo", "orders.fifo"),
        ("arn:aws:sns:us-east-1:123456789012:orders-created", "orders-created"),
        ("arn:aws:sns:us-east-1:123456789012:orders-created:0b1c2d3e-subscription", "orders-created"),
        ("arn:aws:kinesis:us-east-1:123456789012:stream/clickstream", "clickstream"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-11-22T05:15:29.854", "orders"),
        ("not an arn", None),
        (None, None),
    ],
)
def test_source_name_of_every_event_source_arn(arn, name):
    from handlers.telemetry.lambda_event import source_name

    assert source_name(arn) == name
