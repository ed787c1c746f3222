from __future__ import annotations

import io
import json
import logging
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.telemetry import instrument, logger
from handlers.telemetry.invocation_state import InvocationState
from handlers.telemetry.structured_logger import RESERVED_KEYS, StructuredLogger
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


def own_logger() -> tuple[StructuredLogger, io.StringIO]:
    stream = io.StringIO()
    return StructuredLogger(InvocationState(), stream), stream


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_printf_style_arguments_are_formatted_as_the_standard_library_does():
    own, stream = own_logger()
    own.info("served %s items", 3)
    own.warning("%(count)d left of %(sku)s", {"count": 2, "sku": "latte"})
    own.error("%s%%", 50, order_id="o1")
    own.log(logging.WARNING, "level %s by number", "set")
    own.log("ERROR", "level by name")
    own.log(25, "custom level")
    assert [(line["level"], line["message"]) for line in lines(stream)] == [
        ("INFO", "served 3 items"),
        ("WARNING", "2 left of latte"),
        ("ERROR", "50%"),
        ("WARNING", "level set by number"),
        ("ERROR", "level by name"),
        ("Level 25", "custom level"),
    ]
    assert lines(stream)[2]["order_id"] == "o1"


def test_arguments_that_do_not_fit_the_template_are_logged_not_raised():
    own, stream = own_logger()
    own.info("%d items", "many")
    own.info("no placeholder", 1, 2)
    first, second = lines(stream)
    assert first["message"] == "%d items" and first["message_args"] == ["many"]
    assert first["message_format_error"].startswith("TypeError")
    assert second["message"] == "no placeholder" and second["message_args"] == [1, 2]


def test_extra_is_merged_at_the_top_level():
    own, stream = own_logger()
    own.info("order created", extra={"order_id": "o1", "level": "shadow"}, total=3)
    (line,) = lines(stream)
    assert "extra" not in line
    assert (line["order_id"], line["total"], line["extra_level"], line["level"]) == ("o1", 3, "shadow", "INFO")


def test_exc_info_in_every_standard_form():
    own, stream = own_logger()
    try:
        raise KeyError("sku")
    except KeyError as error:
        caught = error
        own.error("lookup failed", exc_info=True)
        own.warning("lookup failed", exc_info=sys.exc_info())
        own.exception("lookup failed %s", "again")
    own.info("later", exc_info=caught)
    own.info("nothing to attach", exc_info=True)  # no exception being handled
    own.info("explicitly none", exc_info=False)
    records = lines(stream)
    assert [record.get("exception_type") for record in records] == ["KeyError", "KeyError", "KeyError", "KeyError", None, None]
    assert records[2]["message"] == "lookup failed again" and records[2]["level"] == "ERROR"
    assert "Traceback" in records[3]["exception"]


def test_stack_info_and_stacklevel_are_accepted():
    own, stream = own_logger()
    own.info("where am I", stack_info=True, stacklevel=2)
    (line,) = lines(stream)
    assert "test_stack_info_and_stacklevel_are_accepted" in line["stack_info"]


ARGUMENT = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                     st.lists(st.integers(), max_size=3))


@settings(max_examples=300, deadline=None)
@given(template=st.text(alphabet=st.sampled_from(list("%sdrifx()abc{} .-+0123456789")), max_size=20),
       args=st.one_of(st.lists(ARGUMENT, max_size=4).map(tuple), st.dictionaries(st.sampled_from(["a", "b", "c"]), ARGUMENT, min_size=1).map(lambda d: (d,))))
def test_any_template_and_arguments_give_one_line_with_the_standard_librarys_message(template, args):
    """Whatever the template and arguments: one JSON line, never an exception, and the same message
    `logging` would produce; when `logging` would fail, the template and its arguments are kept."""
    own, stream = own_logger()
    own.info(template, *args)
    (line,) = lines(stream)
    try:
        expected = logging.LogRecord("x", logging.INFO, __file__, 1, template, args, None).getMessage()
    except Exception:
        expected = None
    if args and expected is not None:
        assert line["message"] == expected and "message_format_error" not in line
    elif args:
        assert line["message"] == template and "message_format_error" in line and "message_args" in line


@settings(max_examples=200, deadline=None)
@given(extra=st.dictionaries(st.text(min_size=1, max_size=12), st.integers(), max_size=6))
def test_any_extra_mapping_lands_at_the_top_level(extra):
    own, stream = own_logger()
    own.info("with extra", extra=extra)
    (line,) = lines(stream)
    for key, value in extra.items():
        assert line[key if key not in RESERVED_KEYS else f"extra_{key}"] == value
