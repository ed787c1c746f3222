from __future__ import annotations

import io
import json
import re

import pytest

from handlers.telemetry import instrument, logger
from handlers.telemetry.invocation_state import InvocationState
from handlers.telemetry.structured_logger import StructuredLogger
from tests.handlers.telemetry.helpers import XRAY_HEADER, XRAY_ROOT, FakeLambdaContext, parse_output

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_log_line_carries_every_correlation_field(capsys, monkeypatch, spans):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    context = FakeLambdaContext()

    @instrument(service="orders")
    def handler(event, ctx):
        logger.info("order created", order_id="o-1", amount=3)

    handler({}, context)
    (line,) = [log for log in parse_output(capsys.readouterr().out).logs if log["message"] == "order created"]
    (root,) = spans.get_finished_spans()
    assert TIMESTAMP.match(line["timestamp"])
    assert line["level"] == "INFO"
    assert line["service"] == "orders"
    assert line["environment"] == "test"
    assert line["request_id"] == context.aws_request_id
    assert line["trace_id"] == f"{root.context.trace_id:032x}" == XRAY_ROOT[2:].replace("-", "")
    assert line["span_id"] == f"{root.context.span_id:016x}"
    assert line["xray_trace_id"] == XRAY_ROOT
    assert line["cold_start"] is True
    assert line["order_id"] == "o-1" and line["amount"] == 3


def test_exception_is_one_line_with_traceback(capsys):
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        logger.exception("failed", step="charge")
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1
    record = json.loads(out)
    assert record["level"] == "ERROR"
    assert "Traceback (most recent call last)" in record["exception"]
    assert "ValueError: boom" in record["exception"]
    assert record["exception_type"] == "ValueError"
    assert record["step"] == "charge"


def test_invocation_keys_do_not_leak_into_the_next_invocation(capsys):
    @instrument(service="orders")
    def handler(event, ctx):
        if event.get("first"):
            logger.append_keys(customer_id="c1")
        logger.info("handled")

    handler({"first": True}, FakeLambdaContext())
    handler({}, FakeLambdaContext())
    logger.info("after")
    first, second, after = [log for log in parse_output(capsys.readouterr().out).logs if log["message"] in ("handled", "after")]
    assert first["customer_id"] == "c1"
    assert "customer_id" not in second
    assert "customer_id" not in after and after["request_id"] is None


def test_persistent_keys_stay_across_invocations():
    stream = io.StringIO()
    own = StructuredLogger(InvocationState(), stream)
    own.append_persistent_keys(region="eu-west-1")
    own.info("one")
    own.info("two")
    assert [json.loads(line)["region"] for line in stream.getvalue().splitlines()] == ["eu-west-1", "eu-west-1"]


@pytest.mark.parametrize(("level", "expected"), [("DEBUG", 4), ("INFO", 3), ("WARNING", 2), ("ERROR", 1), ("bogus", 3)])
def test_log_level_comes_from_env(monkeypatch, level, expected):
    monkeypatch.setenv("LOG_LEVEL", level)
    stream = io.StringIO()
    own = StructuredLogger(InvocationState(), stream)
    own.debug("d")
    own.info("i")
    own.warning("w")
    own.error("e")
    assert len(stream.getvalue().splitlines()) == expected


def test_log_level_is_reread_at_cold_start(monkeypatch, capsys):
    monkeypatch.setenv("LOG_LEVEL", "ERROR")

    @instrument(service="orders")
    def handler(event, ctx):
        logger.info("hidden")
        logger.error("shown")

    handler({}, FakeLambdaContext())
    messages = [log["message"] for log in parse_output(capsys.readouterr().out).logs]
    assert messages == ["shown"]


def test_unserialisable_values_and_reserved_keys_never_break_a_line():
    stream = io.StringIO()
    own = StructuredLogger(InvocationState(), stream)
    own.info("odd", payload={1, 2}, raw=b"\xff", obj=object(), level="not-a-level", message="shadow")
    record = json.loads(stream.getvalue())
    assert record["level"] == "INFO" and record["message"] == "odd"
    assert record["extra_level"] == "not-a-level" and record["extra_message"] == "shadow"
    assert sorted(record["payload"]) == [1, 2]
    assert record["raw"] == "\ufffd"


def test_outside_an_invocation_trace_fields_are_null():
    stream = io.StringIO()
    StructuredLogger(InvocationState(), stream).info("boot")
    record = json.loads(stream.getvalue())
    assert record["trace_id"] is None and record["span_id"] is None and record["xray_trace_id"] is None
