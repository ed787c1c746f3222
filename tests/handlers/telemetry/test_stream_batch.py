"""Kinesis and DynamoDB stream batches: ordered processing, the first failure reported, one linked span per record."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry.trace import SpanKind, StatusCode

from handlers.telemetry import instrument, logger
from handlers.telemetry.batch import process_dynamodb_batch, process_kinesis_batch
from tests.handlers.telemetry.helpers import FakeLambdaContext, dynamodb_record, kinesis_record, parse_output

TRACE_ID = 0x5759E988BD862E3FE1BE46A994272793
SPAN_ID = 0x53995C3F42CD8AD8
TRACEPARENT = f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"
XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def run(process, event, record_handler):
    @instrument(service="consumer")
    def handler(event, context):
        return process(event, context, record_handler)

    return handler(event, FakeLambdaContext())


def record_spans(spans):
    return [span for span in spans.get_finished_spans() if span.kind == SpanKind.CONSUMER and span.parent and not span.parent.is_remote]


def clicks(*bodies: dict | str) -> dict:
    return {"Records": [kinesis_record(body if isinstance(body, str) else json.dumps(body), str(100 + index)) for index, body in enumerate(bodies)]}


def order_image(order_id: str, trace_context: dict | None = None, **extra) -> dict:
    image = {"order_id": {"S": order_id}, **extra}
    if trace_context is not None:
        image["trace_context"] = trace_context
    return image


def test_kinesis_stops_at_the_first_failure_and_reports_only_its_sequence_number(spans, capsys):
    seen: list = []

    def handle(record):
        body = record.kinesis.data_as_json()
        if body.get("explode"):
            raise RuntimeError("refused")
        seen.append(body["n"])

    result = run(process_kinesis_batch, clicks({"n": 1}, {"explode": True}, {"n": 3}, {"n": 4}), handle)
    assert result == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert seen == [1]  # 3 and 4 come back when Lambda resumes the shard at 101
    assert [span.status.status_code for span in record_spans(spans)] == [StatusCode.UNSET, StatusCode.ERROR]
    logs = parse_output(capsys.readouterr().out).logs
    (failed,) = [log for log in logs if log["message"] == "record failed"]
    assert failed["sequence_number"] == "101" and failed["partition_key"] == "session-1"
    (summary,) = [log for log in logs if log["message"] == "batch had failed records"]
    assert (summary["failed"], summary["skipped"], summary["total"]) == (1, 2, 4)


def test_kinesis_record_span_names_the_stream_and_shard(spans):
    run(process_kinesis_batch, clicks({"n": 1}), lambda record: None)
    (span,) = record_spans(spans)
    assert span.name == "platform-dev-clickstream process"
    assert span.attributes["messaging.system"] == "aws_kinesis"
    assert span.attributes["messaging.message.id"] == "shardId-000000000000:100"
    assert span.attributes["messaging.destination.partition.id"] == "shardId-000000000000"
    (root,) = [s for s in spans.get_finished_spans() if s.parent is None or s.parent.is_remote]
    assert root.name == "platform-dev-clickstream process" and root.attributes["messaging.batch.message_count"] == 1


def test_kinesis_record_links_to_the_injected_context_or_a_traceparent_field(spans):
    event = clicks({"page": "/", "_trace_context": {"traceparent": TRACEPARENT}}, {"page": "/menu", "traceparent": TRACEPARENT}, {"page": "/x"}, "not json")
    assert run(process_kinesis_batch, event, lambda record: None) == {"batchItemFailures": []}
    links = [[(link.context.trace_id, link.context.span_id, link.attributes["messaging.trace_context.source"]) for link in span.links] for span in record_spans(spans)]
    assert links == [
        [(TRACE_ID, SPAN_ID, "kinesis.data.payload.traceparent")],
        [(TRACE_ID, SPAN_ID, "kinesis.data.traceparent")],
        [],
        [],
    ]


def test_stream_record_logs_carry_their_identifiers_only_while_processed(capsys):
    def handle(record):
        logger.info("counting")

    run(process_dynamodb_batch, {"Records": [dynamodb_record(order_image("o-1"), "7", event_id="e1")]}, handle)
    logger.info("after")
    logs = parse_output(capsys.readouterr().out).logs
    (counting,) = [log for log in logs if log["message"] == "counting"]
    assert (counting["event_id"], counting["event_name"], counting["sequence_number"]) == ("e1", "INSERT", "7")
    assert "event_id" not in [log for log in logs if log["message"] == "after"][0]


def test_dynamodb_records_link_to_the_writer_through_the_new_image(spans):
    event = {
        "Records": [
            dynamodb_record(order_image("o-1", {"M": {"traceparent": {"S": TRACEPARENT}, "xray": {"S": XRAY}}}), "1"),
            dynamodb_record(order_image("o-2", {"M": {"xray": {"S": XRAY}}}), "2"),
            dynamodb_record(order_image("o-3"), "3", event_name="MODIFY"),
            dynamodb_record(None, "4", event_name="REMOVE"),
        ]
    }
    seen: list = []
    assert run(process_dynamodb_batch, event, lambda record: seen.append(record.dynamodb.new_image.get("order_id"))) == {"batchItemFailures": []}
    assert seen == ["o-1", "o-2", "o-3", None]
    record_span_list = record_spans(spans)
    assert [[link.attributes["messaging.trace_context.source"] for link in span.links] for span in record_span_list] == [
        ["dynamodb.new_image.trace_context.traceparent"],
        ["dynamodb.new_image.trace_context.X-Amzn-Trace-Id"],
        [],
        [],
    ]
    assert all(span.links[0].context.span_id == SPAN_ID for span in record_span_list[:2])
    assert record_span_list[0].name == "platform-dev-orders-table process"
    assert record_span_list[0].attributes["messaging.system"] == "aws_dynamodb"


def test_dynamodb_malformed_trace_context_is_ignored_with_a_warning(spans, capsys):
    event = {"Records": [
        dynamodb_record(order_image("o-1", {"S": TRACEPARENT}), "1"),
        dynamodb_record(order_image("o-2", {"M": {"traceparent": {"S": "garbage"}}}), "2"),
        dynamodb_record(order_image("o-3", {"M": {"traceparent": {"N": "5"}}}), "3"),
    ]}
    assert run(process_dynamodb_batch, event, lambda record: None) == {"batchItemFailures": []}
    assert all(span.links == () for span in record_spans(spans))
    warnings = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "WARNING"]
    assert [warning["source"] for warning in warnings] == [
        "dynamodb.new_image.trace_context",
        "dynamodb.new_image.trace_context.traceparent",
        "dynamodb.new_image.trace_context.traceparent",
    ]


def test_a_stream_batch_whose_first_record_fails_reports_it_rather_than_raising():
    event = {"Records": [dynamodb_record(order_image("o-1"), "1"), dynamodb_record(order_image("o-2"), "2")]}

    def refuse(record):
        raise ValueError("no")

    assert run(process_dynamodb_batch, event, refuse) == {"batchItemFailures": [{"itemIdentifier": "1"}]}


@settings(max_examples=60, deadline=None)
@given(outcomes=st.lists(st.booleans(), max_size=12), kind=st.sampled_from(["kinesis", "dynamodb"]))
def test_any_stream_batch_is_processed_in_order_up_to_its_first_failure(outcomes, kind):
    """Whatever fails where: records run in order up to and including the first failure, which alone is reported."""
    if kind == "kinesis":
        event = {"Records": [kinesis_record(json.dumps({"i": index}), f"{index:05d}") for index in range(len(outcomes))]}
        process, index_of = process_kinesis_batch, lambda record: record.kinesis.data_as_json()["i"]
    else:
        event = {"Records": [dynamodb_record(order_image(f"o-{index}", i={"N": str(index)}), f"{index:05d}") for index in range(len(outcomes))]}
        process, index_of = process_dynamodb_batch, lambda record: int(record.dynamodb.new_image["i"])
    calls: list[int] = []

    def handle(record):
        index = index_of(record)
        calls.append(index)
        if not outcomes[index]:
            raise RuntimeError(f"record {index}")

    result = process(event, FakeLambdaContext(), handle)
    first_failure = outcomes.index(False) if False in outcomes else None
    if first_failure is None:
        assert calls == list(range(len(outcomes))) and result == {"batchItemFailures": []}
    else:
        assert calls == list(range(first_failure + 1))
        assert result == {"batchItemFailures": [{"itemIdentifier": f"{first_failure:05d}"}]}
