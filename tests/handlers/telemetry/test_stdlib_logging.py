"""Records written with the standard library's `logging` come out as the JSON logger's lines."""

from __future__ import annotations

import io
import logging

import pytest

from handlers.telemetry import instrument, logger, stdlib_logging
from tests.handlers.telemetry.helpers import XRAY_HEADER, XRAY_ROOT, FakeLambdaContext, parse_output


@pytest.fixture
def in_lambda(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "platform-test-orders-api")
    monkeypatch.setenv("TELEMETRY_XRAY_PATCH", "off")
    monkeypatch.setenv("TELEMETRY_GC_FREEZE", "off")


@pytest.fixture
def runtime_handler():
    """What the Lambda runtime installs on the root logger: plain text, no trace id."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(message)s"))
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # the runtime's, whatever a test that ran before left on the root logger
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_library_records_carry_trace_and_request_ids_inside_lambda(in_lambda, monkeypatch, runtime_handler, capsys):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    context = FakeLambdaContext()

    @instrument(service="orders")
    def handler(event, ctx):
        logging.getLogger("orders.repository").info("fetched %d rows", 5, extra={"table": "orders"})

    handler({}, context)
    (line,) = [log for log in parse_output(capsys.readouterr().out).logs if log["message"] == "fetched 5 rows"]
    assert (line["level"], line["logger"], line["table"]) == ("INFO", "orders.repository", "orders")
    assert line["request_id"] == context.aws_request_id and line["xray_trace_id"] == XRAY_ROOT
    assert line["service"] == "orders" and line["span_id"]
    assert runtime_handler.getvalue() == ""  # the runtime's plain-text line is gone, not doubled


def test_standard_library_follows_the_configured_level(in_lambda, monkeypatch, capsys):
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    @instrument(service="orders")
    def handler(event, ctx):
        library = logging.getLogger("some.library")
        library.info("hidden")
        library.warning("shown")
        logger.set_level("DEBUG")
        library.debug("now shown")

    handler({}, FakeLambdaContext())
    assert [log["message"] for log in parse_output(capsys.readouterr().out).logs] == ["shown", "now shown"]
    assert logging.getLogger().level == logging.DEBUG


def test_exceptions_from_the_standard_library_are_one_line(in_lambda, capsys):
    @instrument(service="orders")
    def handler(event, ctx):
        try:
            {}["missing"]
        except KeyError:
            logging.getLogger("worker").exception("lookup %s failed", "missing")

    handler({}, FakeLambdaContext())
    (line,) = parse_output(capsys.readouterr().out).logs
    assert line["message"] == "lookup missing failed" and line["exception_type"] == "KeyError"
    assert "Traceback" in line["exception"]


def test_a_broken_template_is_kept_rather_than_lost(in_lambda, capsys):
    instrument(service="orders")(lambda event, ctx: logging.getLogger("x").warning("%d rows", "many"))({}, FakeLambdaContext())
    (line,) = parse_output(capsys.readouterr().out).logs
    assert line["message"] == "%d rows" and line["message_args"] == ["many"]


def test_restore_puts_back_the_runtime_handler_and_level(in_lambda, runtime_handler):
    root = logging.getLogger()
    level = root.level
    instrument(service="orders")(lambda event, ctx: None)
    assert sum(isinstance(handler, stdlib_logging.JsonLogHandler) for handler in root.handlers) == 1
    logging.getLogger("during").warning("json only")
    assert runtime_handler.getvalue() == ""
    assert stdlib_logging.route_standard_logging() is False  # idempotent
    stdlib_logging.restore()
    assert not any(isinstance(handler, stdlib_logging.JsonLogHandler) for handler in root.handlers)
    assert root.level == level
    logging.getLogger("after").warning("plain again")
    assert runtime_handler.getvalue() == "[WARNING]\tplain again\n"


@pytest.mark.parametrize("setting", ["off", "OFF "])
def test_routing_can_be_switched_off(in_lambda, monkeypatch, setting):
    monkeypatch.setenv("TELEMETRY_STDLIB_LOGGING", setting)
    instrument(service="orders")(lambda event, ctx: None)
    assert not any(isinstance(handler, stdlib_logging.JsonLogHandler) for handler in logging.getLogger().handlers)


def test_outside_lambda_the_hosts_logging_is_left_alone():
    instrument(service="orders")(lambda event, ctx: None)
    assert not any(isinstance(handler, stdlib_logging.JsonLogHandler) for handler in logging.getLogger().handlers)
