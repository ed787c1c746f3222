"""`@instrument(lean_span=True)` writes the span line an SDK span would have given.

Each case runs the same handler twice, decorated with and without `lean_span`, and compares
the span lines, with what differs by nature (span ids, times, a new trace's id, the line
numbers in a traceback) set aside.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider, sampling

from handlers.telemetry import decorator, instrument, lambda_event, logger, while_waiting
from handlers.telemetry.invocation_state import current
from handlers.telemetry.lean_span import LeanSpan, remote_parent_decides
from handlers.telemetry.log_span_exporter import LogLineSpanExporter
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import (ACCOUNT, REGION, XRAY_HEADER, FakeLambdaContext, api_event, kinesis_record,
                                              parse_output, sqs_record)

AWSLOGS = {"awslogs": {"data": "H4sIAAAAAAAAAKtWSs7PS8tMLlGyUlAqSy0qzszPU7IyNDIyNzY2MTY0MjQyNLIwNjE1VKoFAEBLPpMyAAAA"}}
EVENTS = {
    "awslogs": AWSLOGS,
    "kinesis": {"Records": [kinesis_record(b"{}", "1"), kinesis_record(b"x", "2")]},
    "sqs": {"Records": [sqs_record("{}", queue="q1")]},
    "api": api_event("GET", "/orders/abc", resource="/orders/{order_id}"),
    "schedule": {"id": "1", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}},
    "direct": {"anything": 1},
}
HEADERS = {
    "sampled": XRAY_HEADER,
    "sampled with lineage": XRAY_HEADER + ";Lineage=a87bd80c:0",
    "not sampled": XRAY_HEADER.replace("Sampled=1", "Sampled=0"),
    "none": None,
}
OUTCOMES = ("ok", "http 503", "raises")


class Failure(RuntimeError):
    pass


def handler_body(outcome: str):
    def handler(event: Any, context: Any) -> Any:
        logger.info("working", step=1)
        while_waiting()  # as the log shipper does once its request is sent: the lean line is prepared
        if outcome == "raises":
            raise Failure("payload refused")
        return {"statusCode": 503 if outcome == "http 503" else 200}
    return handler


def comparable(span: dict[str, Any], new_trace: bool) -> dict[str, Any]:
    """The span line without what two runs cannot share."""
    span = dict(span)
    for key in ("spanId", "startTime", "endTime", "durationInNanos", "span.attributes.faas@invocation_id"):
        span.pop(key)
    span["traceGroupFields"] = {"statusCode": span["traceGroupFields"]["statusCode"]}
    if new_trace:
        span.pop("traceId")
    for event in span["events"]:
        event.pop("time")
        event["attributes"]["exception.stacktrace"] = re.sub(r"line \d+", "line N", event["attributes"]["exception.stacktrace"])
    return span


def run(event_name: str, outcome: str, lean: bool, capsys: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    decorator.cold_start.first = False  # both runs warm, whatever ran before
    handler = instrument(service="orders", lean_span=lean)(handler_body(outcome))
    try:
        handler(json.loads(json.dumps(EVENTS[event_name])), FakeLambdaContext())
    except Failure:
        pass
    output = parse_output(capsys.readouterr().out)
    return output.spans, output.logs


@settings(max_examples=60, deadline=None)
@given(event_name=st.sampled_from(sorted(EVENTS)), outcome=st.sampled_from(OUTCOMES), header=st.sampled_from(sorted(HEADERS)))
def test_the_lean_span_line_is_the_sdk_spans(event_name, outcome, header):
    with pytest.MonkeyPatch.context() as patch, _captured() as capsys:
        patch.setattr(tracing.processor, "exporter", LogLineSpanExporter())
        if HEADERS[header]:
            patch.setenv("_X_AMZN_TRACE_ID", HEADERS[header])
        else:
            patch.delenv("_X_AMZN_TRACE_ID", raising=False)
        sdk_spans, _ = run(event_name, outcome, False, capsys)
        lean_spans, lean_logs = run(event_name, outcome, True, capsys)
    assert [comparable(span, header == "none") for span in lean_spans] == [comparable(span, header == "none") for span in sdk_spans]
    if lean_spans:
        (span,) = lean_spans
        assert all(log["trace_id"] == span["traceId"] and log["span_id"] == span["spanId"] for log in lean_logs)
    else:
        assert header == "not sampled"


def test_a_child_span_hangs_under_the_lean_span_and_shares_its_trace_group(monkeypatch, capsys, log_exporter):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders", lean_span=True)
    def handler(event, context):
        with tracing.tracer("orders").start_as_current_span("child"):
            pass

    handler(AWSLOGS, FakeLambdaContext())
    child, invocation = parse_output(capsys.readouterr().out).spans
    assert child["parentSpanId"] == invocation["spanId"] and child["traceId"] == invocation["traceId"]
    assert child["traceGroup"] == invocation["traceGroup"] == invocation["name"]


def test_what_a_lean_handler_sets_on_its_current_span_is_not_recorded(monkeypatch, capsys, log_exporter):
    """The one difference, and why it is a choice per handler."""

    @instrument(service="orders", lean_span=True)
    def handler(event, context):
        current = trace.get_current_span()
        assert not current.is_recording()
        current.set_attribute("ignored", True)
        current.add_event("ignored")

    handler(AWSLOGS, FakeLambdaContext())
    (span,) = parse_output(capsys.readouterr().out).spans
    assert "span.attributes.ignored" not in span and span["events"] == []


def test_an_event_with_producer_links_gets_an_sdk_span_even_when_lean(spans):
    producer = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {
        "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic1", "Message": "m",
        "MessageAttributes": {"traceparent": {"Type": "String", "Value": producer}}}}]}
    instrument(service="orders", lean_span=True)(lambda event, context: None)(event, FakeLambdaContext())
    (span,) = spans.get_finished_spans()
    assert [f"{link.context.span_id:016x}" for link in span.links] == ["b7ad6b7169203331"]


def _parent(sampled: bool = True, remote: bool = True) -> trace.SpanContext:
    return trace.SpanContext(0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, is_remote=remote,
                             trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED if sampled else 0))


def _under(parent: trace.SpanContext | None) -> Any:
    return trace.set_span_in_context(trace.NonRecordingSpan(parent)) if parent is not None else None


@pytest.mark.parametrize("sampler, parent, expected", [
    (sampling.ParentBased(sampling.ALWAYS_ON), _parent(), True),
    (sampling.ParentBasedTraceIdRatio(0.05), _parent(), True),
    (sampling.ParentBased(sampling.ALWAYS_ON), _parent(sampled=False), False),
    # Anything else may decide on more than the parent, so it is asked.
    (sampling.ParentBased(sampling.ALWAYS_ON, remote_parent_not_sampled=sampling.TraceIdRatioBased(0.5)),
     _parent(sampled=False), None),
    (sampling.ALWAYS_ON, _parent(), None),
    (sampling.TraceIdRatioBased(0.5), _parent(), None),
    (sampling.ParentBased(sampling.ALWAYS_ON), _parent(remote=False), None),
    (sampling.ParentBased(sampling.ALWAYS_ON), None, None),
], ids=["parent based, sampled", "parent based ratio, sampled", "parent based, not sampled",
        "own remote delegate", "always on", "ratio", "local parent", "no parent"])
def test_a_remote_parent_decides_only_for_the_sdks_parent_based_samplers(sampler, parent, expected):
    tracer = TracerProvider(sampler=sampler, shutdown_on_exit=False).get_tracer("test")
    assert remote_parent_decides(tracer, _under(parent)) is expected


def test_an_invocation_known_not_to_be_recorded_builds_no_attributes_and_asks_no_sampler(monkeypatch, log_exporter):
    """Most invocations in Lambda are not sampled: they pay for nothing that is not written."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADERS["not sampled"])
    built: list[Any] = []
    monkeypatch.setattr(lambda_event, "invocation_attributes", lambda *args: built.append(args) or {})
    sampler = tracing.tracer("orders").sampler
    monkeypatch.setattr(type(sampler), "should_sample", lambda *args, **kwargs: built.append(args))
    instrument(service="orders", lean_span=True)(lambda event, context: None)(AWSLOGS, FakeLambdaContext())
    assert built == []
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADERS["sampled"])
    instrument(service="orders", lean_span=True)(lambda event, context: None)(AWSLOGS, FakeLambdaContext())
    assert len(built) == 1  # the attributes of a recorded span; the parent's flag still decides


def test_attributes_that_fail_to_be_made_later_give_the_generic_ones(monkeypatch, capsys, log_exporter):
    """A recorded lean span makes its attributes when its line is written (`describe_later`)."""
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    def broken(*args):
        raise KeyError("odd event")

    monkeypatch.setattr(lambda_event, "invocation_attributes", broken)
    decorator.cold_start.first = False
    instrument(service="orders", lean_span=True)(lambda event, context: None)(EVENTS["sqs"], FakeLambdaContext())
    output = parse_output(capsys.readouterr().out)
    (span,) = output.spans
    assert span["name"] == "q1 process" and span["kind"] == "SPAN_KIND_CONSUMER"
    assert {key: value for key, value in span.items() if key.startswith("span.attributes.")} == {
        "span.attributes.faas@trigger": "pubsub", "span.attributes.faas@coldstart": False}
    assert any(log["message"].startswith("event not understood by telemetry") for log in output.logs)


def test_while_waiting_prepares_the_lean_line_once_and_a_failure_there_only_loses_the_head_start(
        monkeypatch, capsys, log_exporter):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    prepared: list[bool] = []

    @instrument(service="orders", lean_span=True)
    def handler(event, context):
        span = current.idle_task.__self__
        while_waiting()
        line, span.open_line = span.open_line, None
        while_waiting()  # a second request of the same invocation: nothing left to do
        prepared.append(line is not None and span.open_line is None)

    handler(AWSLOGS, FakeLambdaContext())
    assert prepared == [True] and current.idle_task is None
    while_waiting()  # between invocations: nothing to run
    (first,) = parse_output(capsys.readouterr().out).spans

    def fails(self):
        raise RuntimeError("broken")

    monkeypatch.setattr(LeanSpan, "prepare", fails)
    instrument(service="orders", lean_span=True)(lambda event, context: while_waiting())(AWSLOGS, FakeLambdaContext())
    (second,) = parse_output(capsys.readouterr().out).spans
    assert second["name"] == first["name"] and second["status.code"] == first["status.code"]


class _captured:
    """capsys for a hypothesis test (function-scoped fixtures are not reset between examples)."""

    def __enter__(self) -> Any:
        import io
        import sys

        self._saved = sys.stdout
        self._stream = io.StringIO()
        sys.stdout = self._stream
        self.readouterr = self._read
        return self

    def _read(self) -> Any:
        text = self._stream.getvalue()
        self._stream.seek(0)
        self._stream.truncate()
        return type("Captured", (), {"out": text})()

    def __exit__(self, *exc: object) -> None:
        import sys

        sys.stdout = self._saved


def test_a_lean_span_hands_a_readable_span_to_any_other_processor_and_nothing_to_one_without_exporter():
    from opentelemetry.sdk.trace import ReadableSpan, SpanLimits

    from handlers.telemetry.lean_span import start_lean_span
    from handlers.telemetry.tracing import InvocationSpanProcessor

    class Collecting:  # a span processor of another kind: no `exporter` attribute
        def __init__(self):
            self.ended = []

        def on_end(self, span):
            self.ended.append(span)

    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("test")
    other, exporting_nowhere = Collecting(), InvocationSpanProcessor(None)
    exporting_nowhere.on_end = lambda span: pytest.fail("handed a span with nowhere to export it")
    for processor in (other, exporting_nowhere):
        span, _ = start_lean_span(tracer, processor, "invocation", _under(_parent()), trace.SpanKind.SERVER,
                                  {"faas.trigger": "other"}, SpanLimits(), decided=True)
        span.end()
    (ended,) = other.ended
    assert isinstance(ended, ReadableSpan) and ended.name == "invocation"
