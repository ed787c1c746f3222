"""Fixtures shared by the telemetry and orders tests: isolated telemetry state, in-memory spans, mocked AWS."""

from __future__ import annotations

from typing import Iterator

import boto3
import moto
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from handlers.telemetry import decorator as decorator_module
from handlers.telemetry import stdlib_logging, xray_patch
from handlers.telemetry.invocation_state import current
from handlers.telemetry.metrics import metrics
from handlers.telemetry.structured_logger import logger
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import REGION

LAMBDA_ENV = ("_X_AMZN_TRACE_ID", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "TELEMETRY_EXPORTER", "TELEMETRY_STDLIB_LOGGING", "LOG_LEVEL")


@pytest.fixture(autouse=True)
def clean_telemetry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts like a fresh process: cold, no keys, no buffered spans or metrics; and leaves
    behind no routing of standard logging and no botocore patch (tests that pose as Lambda set both)."""
    for name in LAMBDA_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("METRICS_NAMESPACE", "platform/test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setattr(decorator_module.cold_start, "first", True)
    logger.set_level("INFO")
    metrics.clear()
    current.end()
    tracing.processor.take()
    yield
    metrics.clear()
    current.end()
    tracing.processor.take()
    stdlib_logging.restore()
    xray_patch.unpatch_botocore()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    previous = tracing.set_exporter(exporter)
    yield exporter
    tracing.set_exporter(previous)


@pytest.fixture
def log_exporter() -> Iterator[None]:
    """Spans as JSON lines on stdout (the production default), whatever another test installed."""
    from handlers.telemetry.log_span_exporter import LogLineSpanExporter

    previous = tracing.set_exporter(LogLineSpanExporter())
    yield
    tracing.set_exporter(previous)


@pytest.fixture
def aws() -> Iterator[None]:
    with moto.mock_aws():
        yield


@pytest.fixture
def idempotency_table(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    name = "platform-test-telemetry-idempotency"
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    monkeypatch.setenv("IDEMPOTENCY_TABLE", name)
    return name
