from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.trace import SpanKind, StatusCode

from handlers.telemetry import decorator, instrument, lambda_event, logger, metrics, while_waiting
from handlers.telemetry.tracing import build_exporter, tracing
from tests.handlers.telemetry.helpers import (ACCOUNT, REGION, XRAY_HEADER, XRAY_ROOT, FakeLambdaContext, api_event, kinesis_record,
                                              parse_output, sqs_record)


@instrument(service="orders")
def echo(event, context):
    return {"statusCode": event.get("status", 200)} if isinstance(event, dict) else None


def only_span(spans):
    (span,) = spans.get_finished_spans()
    return span


def test_root_span_continues_the_lambda_xray_trace(monkeypatch, spans):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    echo({}, FakeLambdaContext())
    span = only_span(spans)
    assert f"{span.context.trace_id:032x}" == XRAY_ROOT[2:].replace("-", "")
    assert span.parent is not None and f"{span.parent.span_id:016x}" == "53995c3f42cd8ad8"
    assert span.parent.is_remote


def test_without_a_lambda_trace_header_a_new_xray_compatible_trace_starts(spans):
    echo({}, FakeLambdaContext())
    span = only_span(spans)
    assert span.parent is None
    epoch = span.context.trace_id >> 96  # AwsXRayIdGenerator: first 32 bits are the start time
    import time

    assert abs(epoch - time.time()) < 3600


@pytest.mark.parametrize(
    "header",
    ["garbage", "Root=1-zzzz-yyyy;Parent=53995c3f42cd8ad8;Sampled=1", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=123;Sampled=1", "Root=" + "a" * 300],
)
def test_malformed_lambda_trace_header_starts_a_new_trace_with_a_warning(monkeypatch, spans, capsys, header):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    echo({}, FakeLambdaContext())
    assert only_span(spans).parent is None
    warnings = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "WARNING"]
    assert warnings and "malformed _X_AMZN_TRACE_ID" in warnings[0]["message"]


@pytest.mark.parametrize(
    ("event", "kind", "trigger", "name"),
    [
        (api_event("GET", "/orders/abc", resource="/orders/{order_id}"), SpanKind.SERVER, "http", "GET /orders/{order_id}"),
        ({"Records": [sqs_record("{}", queue="q1")]}, SpanKind.CONSUMER, "pubsub", "q1 process"),
        ({"Records": [{"EventSource": "aws:sns", "Sns": {"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic1", "Message": "m"}}]}, SpanKind.CONSUMER, "pubsub", "topic1 process"),
        ({"id": "1", "source": "orders", "detail-type": "OrderCreated", "detail": {}}, SpanKind.CONSUMER, "pubsub", "OrderCreated process"),
        ({"id": "1", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}, SpanKind.CONSUMER, "timer", "Scheduled Event process"),
        ({"anything": 1}, SpanKind.INTERNAL, "other", "platform-dev-orders-api"),
    ],
)
def test_root_span_kind_name_and_faas_attributes_follow_the_trigger(spans, event, kind, trigger, name):
    context = FakeLambdaContext()
    echo(event, context)
    span = only_span(spans)
    assert span.kind == kind
    assert span.name == name
    attributes = span.attributes
    assert attributes["faas.trigger"] == trigger
    assert attributes["faas.invocation_id"] == context.aws_request_id
    assert attributes["faas.name"] == context.function_name
    assert attributes["faas.version"] == "$LATEST"
    assert attributes["cloud.provider"] == "aws"
    assert attributes["cloud.region"] == REGION
    assert attributes["cloud.account.id"] == ACCOUNT
    assert attributes["faas.coldstart"] is True


def test_http_status_is_recorded_and_5xx_marks_the_span_as_error(spans):
    echo(api_event("GET", "/x") | {"status": 503}, FakeLambdaContext())
    span = only_span(spans)
    assert span.attributes["http.response.status_code"] == 503
    assert span.status.status_code == StatusCode.ERROR


def test_cold_start_is_true_only_for_the_first_invocation(spans):
    for _ in range(3):
        echo({}, FakeLambdaContext())
    assert [span.attributes["faas.coldstart"] for span in spans.get_finished_spans()] == [True, False, False]


def test_provisioned_concurrency_is_never_a_cold_start(monkeypatch, spans, capsys):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")

    @instrument(service="orders")
    def handler(event, context):
        logger.info("in")

    handler({}, FakeLambdaContext())
    assert only_span(spans).attributes["faas.coldstart"] is False
    assert parse_output(capsys.readouterr().out).logs[0]["cold_start"] is False


def test_exceptions_are_recorded_set_error_status_and_are_reraised(spans, capsys):
    @instrument(service="orders")
    def handler(event, context):
        raise KeyError("missing")

    with pytest.raises(KeyError):
        handler({}, FakeLambdaContext())
    span = only_span(spans)
    assert span.status.status_code == StatusCode.ERROR
    assert "KeyError" in span.status.description
    (event,) = span.events
    assert event.name == "exception" and event.attributes["exception.type"] == "KeyError"
    failure = [log for log in parse_output(capsys.readouterr().out).logs if log["message"] == "invocation failed"]
    assert failure and "KeyError" in failure[0]["exception"]


class RecordingExporter:
    def __init__(self):
        self.batches = []

    def export(self, spans):
        self.batches.append(list(spans))
        return SpanExportResult.SUCCESS

    def force_flush(self, timeout_millis=30000):
        return True

    def shutdown(self):
        return None


def test_spans_are_exported_before_the_handler_returns(spans):
    exported_during_next_call = []

    @instrument(service="orders")
    def handler(event, context):
        exported_during_next_call.append(len(spans.get_finished_spans()))

    handler({}, FakeLambdaContext())
    handler({}, FakeLambdaContext())
    assert exported_during_next_call == [0, 1]
    assert tracing.processor.pending() == 0


def test_flush_is_skipped_with_a_warning_when_no_time_is_left(spans, capsys):
    echo({}, FakeLambdaContext(remaining_ms=decorator.FLUSH_SAFETY_MARGIN_MS - 1))
    assert spans.get_finished_spans() == ()
    warning = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "WARNING"]
    assert warning[0]["message"].startswith("spans dropped") and warning[0]["dropped_spans"] == 1


def test_flush_budget_is_the_remaining_time_minus_the_safety_margin(monkeypatch):
    seen = []
    monkeypatch.setattr(tracing.processor, "flush", lambda budget_ms, into=None: seen.append(budget_ms) or 0)
    echo({}, FakeLambdaContext(remaining_ms=1_000))
    echo({}, FakeLambdaContext(remaining_ms=10**7))
    assert seen == [1_000 - decorator.FLUSH_SAFETY_MARGIN_MS, decorator.DEFAULT_FLUSH_BUDGET_MS]


def test_a_slow_network_exporter_cannot_hold_the_invocation_past_the_budget():
    import threading

    release = threading.Event()

    class Hanging(RecordingExporter):
        def export(self, spans):
            release.wait(5)
            return SpanExportResult.SUCCESS

    previous = tracing.set_exporter(Hanging())
    try:
        echo({}, FakeLambdaContext(remaining_ms=decorator.FLUSH_SAFETY_MARGIN_MS + 1))
        assert tracing.processor.pending() == 0  # returned without waiting for the export
    finally:
        release.set()
        tracing.set_exporter(previous)


def test_exporter_choice_follows_telemetry_exporter(monkeypatch):
    assert build_exporter("none") is None
    assert type(build_exporter("log")).__name__ == "LogLineSpanExporter"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    otlp = build_exporter("otlp")
    assert type(otlp).__name__ == "OTLPSpanExporter"
    assert otlp._endpoint == "http://127.0.0.1:4318/v1/traces"


@pytest.mark.parametrize("lean", [False, True], ids=["sdk span", "lean span"])
def test_none_exporter_keeps_logs_correlated_but_exports_nothing(monkeypatch, capsys, lean):
    from handlers.telemetry.lean_span import LeanSpan

    from opentelemetry import context as otel_context
    from opentelemetry import trace

    from handlers.telemetry.xray_header import LINEAGE_KEY

    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER + ";Lineage=a87bd80c:0")
    wasted: list[str] = []  # a lean span is no more than its ids when no exporter will take it
    monkeypatch.setattr(LeanSpan, "__init__", lambda self, *args: wasted.append("lean span"))
    seen = []
    previous = tracing.set_exporter(None)
    try:
        @instrument(service="orders", lean_span=lean)
        def handler(event, context):
            logger.info("x")
            while_waiting()
            seen.append((trace.get_current_span().get_span_context(), otel_context.get_value(LINEAGE_KEY)))

        handler({}, FakeLambdaContext())
        output = parse_output(capsys.readouterr().out)
        assert output.spans == [] and wasted == []
        ((ids, lineage),) = seen
        assert f"{ids.trace_id:032x}" == output.logs[0]["trace_id"] == XRAY_ROOT.replace("1-", "").replace("-", "")
        assert f"{ids.span_id:016x}" == output.logs[0]["span_id"] != "53995c3f42cd8ad8"  # its own, under Lambda's
        assert ids.trace_flags.sampled and lineage == "a87bd80c:0"
    finally:
        tracing.set_exporter(previous)


def test_decorator_works_with_and_without_arguments_and_keeps_the_name(monkeypatch, spans):
    monkeypatch.setenv("SERVICE_NAME", "payments")

    @instrument
    def my_handler(event, context):
        return "ok"

    assert my_handler.__name__ == "my_handler"
    assert my_handler({}, FakeLambdaContext()) == "ok"
    assert only_span(spans).resource.attributes["service.name"] == "payments"


def test_works_without_a_lambda_context(spans):
    assert echo({}, None) == {"statusCode": 200}
    assert only_span(spans).name == "echo"


def test_stdout_is_flushed_before_the_handler_returns(monkeypatch):
    class BufferedStdout:
        def __init__(self):
            self.pending, self.flushed = [], []

        def write(self, text):
            self.pending.append(text)

        def flush(self):
            self.flushed.extend(self.pending)
            self.pending = []

    stdout = BufferedStdout()
    monkeypatch.setattr("sys.stdout", stdout)

    @instrument(service="orders")
    def handler(event, context):
        logger.info("buffered")

    handler({}, FakeLambdaContext())
    assert stdout.pending == [] and any("buffered" in line for line in stdout.flushed)


@pytest.mark.parametrize("lean", [False, True], ids=["sdk span", "lean span"])
def test_an_invocations_metric_and_span_lines_go_out_in_one_write(monkeypatch, log_exporter, lean):
    """Lambda's Python runtime makes stdout unbuffered: every write is a system call."""
    writes: list[str] = []

    class UnbufferedStdout:  # what Lambda's runtime puts in place of sys.stdout
        def write(self, text):
            writes.append(text)

        def flush(self):
            pass

    monkeypatch.setattr("sys.stdout", UnbufferedStdout())
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders", lean_span=lean)
    def handler(event, context):
        metrics.add_metric("OrdersPlaced", 1)

    handler({}, FakeLambdaContext())
    (written,) = writes
    emf, span = (json.loads(line) for line in written.splitlines())
    assert emf["OrdersPlaced"] == 1 and span["record_type"] == "span"


def test_an_http_clients_w3c_traceparent_is_linked(spans, capsys):
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    event = api_event("GET", "/orders")
    event["headers"] = {"TraceParent": traceparent}
    echo(event, FakeLambdaContext())
    (link,) = only_span(spans).links
    assert (link.context.trace_id, link.context.span_id) == (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331)
    event["headers"] = {"traceparent": "garbage"}
    echo(event, FakeLambdaContext())
    assert spans.get_finished_spans()[-1].links == ()
    assert "malformed traceparent" in parse_output(capsys.readouterr().out).logs[-1]["message"]


@pytest.mark.parametrize(
    "event",
    [
        {"httpMethod": "GET", "resource": 123, "requestContext": {}},
        {"httpMethod": 5, "requestContext": {"http": "x"}},
        {"Records": [{"eventSource": "aws:sqs", "eventSourceARN": 7}]},
        {"detail-type": None, "source": [], "detail": "x"},
        ["not", "a", "dict"],
        None,
    ],
)
def test_events_of_unexpected_shape_never_stop_the_handler(spans, event):
    calls = []

    @instrument(service="orders")
    def handler(event, context):
        calls.append(event)
        return "ran"

    assert handler(event, FakeLambdaContext()) == "ran"
    assert calls == [event]
    assert len(spans.get_finished_spans()) == 1


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=12), children, max_size=3), max_leaves=10)
TRIGGER_KEYS = st.sampled_from(["eventSource", "EventSource", "requestContext", "httpMethod", "http", "detail-type",
                                "source", "detail", "Records"])
SHAPED_EVENTS = st.dictionaries(TRIGGER_KEYS, JSON_VALUES | st.lists(st.dictionaries(TRIGGER_KEYS, JSON_VALUES), max_size=2))


@given(event=SHAPED_EVENTS | JSON_VALUES)
def test_any_event_gets_one_of_the_known_triggers(event):
    """An event source of any JSON type (a list, an object) must classify, not raise."""
    known = [lambda_event.API_GATEWAY, lambda_event.SQS, lambda_event.SNS, *lambda_event.DATA_SOURCES.values(),
             lambda_event.SCHEDULE, lambda_event.EVENTBRIDGE, lambda_event.DIRECT]
    assert any(lambda_event.classify(event) is trigger for trigger in known)


def test_the_sdk_tracer_is_looked_up_once_per_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's get_tracer costs ~10 % of a warm invocation's telemetry; it runs once."""
    from handlers.telemetry.tracing import Tracing

    fresh = Tracing()
    provider = fresh.provider("orders")
    calls: list[tuple] = []
    original = provider.get_tracer
    monkeypatch.setattr(provider, "get_tracer", lambda *args, **kwargs: calls.append(args) or original(*args, **kwargs))
    assert fresh.tracer("orders") is fresh.tracer("orders")
    assert len(calls) == 1


def test_a_kinesis_events_records_are_not_decoded_for_the_invocation_span(spans, monkeypatch):
    """Linking the invocation span to each record's producer would decode every record a second
    time, a third of what the log shipper's own decoding costs (benchmarks/README.md, "Producer
    links on the Kinesis path"); the per-record spans of `handlers.telemetry.batch` link them."""
    from handlers.telemetry import propagation

    monkeypatch.setattr(propagation, "event_links", lambda event: pytest.fail("the records were scanned"))
    monkeypatch.setattr(propagation, "producer_link", lambda record: pytest.fail("a record was scanned"))
    producer = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    data = json.dumps({"order_id": "o-1", "_trace_context": {"traceparent": producer}})
    echo({"Records": [kinesis_record(data, "1"), kinesis_record(data, "2")]}, FakeLambdaContext())
    span = only_span(spans)
    assert span.kind == SpanKind.CONSUMER and span.attributes["messaging.batch.message_count"] == 2
    assert span.links == ()
