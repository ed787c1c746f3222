"""Partial batch failures: poison records are reported alone; FIFO stops at the first failure."""

from __future__ import annotations

import json

from opentelemetry.trace import StatusCode

from handlers.telemetry import instrument
from handlers.telemetry.batch import is_fifo_batch, process_sqs_batch
from tests.handlers.telemetry.helpers import FakeLambdaContext, parse_output, sqs_record


def run(event, record_handler, **options):
    @instrument(service="consumer")
    def handler(event, context):
        return process_sqs_batch(event, context, record_handler, **options)

    return handler(event, FakeLambdaContext())


def strict_handler(done: list):
    def handle(record):
        body = json.loads(record.body)
        if body.get("explode"):
            raise RuntimeError("downstream refused")
        done.append(body["n"])

    return handle


def test_poison_messages_are_reported_and_good_ones_succeed(spans, capsys):
    records = [
        sqs_record(json.dumps({"n": 1}), "m1"),
        sqs_record("{not json", "m2"),
        sqs_record(json.dumps({"n": 3}), "m3"),
        sqs_record(json.dumps({"explode": True}), "m4"),
        sqs_record(json.dumps({"n": 5}), "m5"),
    ]
    done: list = []
    result = run({"Records": records}, strict_handler(done))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m4"}]}
    assert done == [1, 3, 5]
    record_spans = {span.attributes.get("messaging.message.id"): span for span in spans.get_finished_spans() if span.name.endswith(" process") and span.parent and not span.parent.is_remote}
    assert record_spans["m2"].status.status_code == StatusCode.ERROR
    assert record_spans["m4"].events[0].attributes["exception.type"] == "RuntimeError"
    assert record_spans["m1"].status.status_code == StatusCode.UNSET
    failures = [log for log in parse_output(capsys.readouterr().out).logs if log["message"] == "record failed"]
    assert [log["message_id"] for log in failures] == ["m2", "m4"]
    assert "JSONDecodeError" in failures[0]["exception"]


def test_record_logs_carry_the_message_id_only_while_it_is_processed(capsys):
    from handlers.telemetry import logger

    def handle(record):
        logger.info("working")

    run({"Records": [sqs_record("{}", "a"), sqs_record("{}", "b")]}, handle)
    logger.info("after")
    logs = parse_output(capsys.readouterr().out).logs
    assert [log.get("message_id") for log in logs if log["message"] == "working"] == ["a", "b"]
    assert "message_id" not in [log for log in logs if log["message"] == "after"][0]


def test_a_whole_failed_batch_is_reported_rather_than_raised():
    records = [sqs_record("bad", "x1"), sqs_record("bad", "x2")]
    assert run({"Records": records}, strict_handler([])) == {"batchItemFailures": [{"itemIdentifier": "x1"}, {"itemIdentifier": "x2"}]}


def test_empty_batch():
    assert run({"Records": []}, strict_handler([])) == {"batchItemFailures": []}


def fifo(body: str, message_id: str, group: str = "g1") -> dict:
    record = sqs_record(body, message_id, attributes={"MessageGroupId": group}, queue="orders.fifo")
    return record


def test_fifo_stops_at_the_first_failure_and_reports_the_rest():
    records = [fifo(json.dumps({"n": 1}), "f1"), fifo("bad", "f2"), fifo(json.dumps({"n": 3}), "f3"), fifo(json.dumps({"n": 4}), "f4", "g2")]
    assert is_fifo_batch({"Records": records})
    done: list = []
    result = run({"Records": records}, strict_handler(done))
    assert done == [1]
    assert result == {"batchItemFailures": [{"itemIdentifier": "f2"}, {"itemIdentifier": "f3"}, {"itemIdentifier": "f4"}]}


def test_fifo_can_skip_only_the_failed_group():
    records = [fifo("bad", "f1", "g1"), fifo(json.dumps({"n": 2}), "f2", "g2"), fifo(json.dumps({"n": 3}), "f3", "g1")]
    done: list = []
    result = run({"Records": records}, strict_handler(done), skip_group_on_error=True)
    assert done == [2]
    assert result == {"batchItemFailures": [{"itemIdentifier": "f1"}, {"itemIdentifier": "f3"}]}
