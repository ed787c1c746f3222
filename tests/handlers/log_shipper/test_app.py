"""The Lambda entry point: wiring from the environment and the EMF metrics contract."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from handlers.log_shipper import app
from handlers.log_shipper.events import IncompleteShipmentError
from handlers.telemetry import logger
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.conftest import BUCKET
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, RequestFault

CONTRACT_METRICS = {"EventsReceived": "Count", "EventsShipped": "Count", "EventsRetried": "Count",
                    "EventsDeadLettered": "Count", "ShippingLagMs": "Milliseconds"}


class LambdaContext:
    function_name = "platform-dev-log-shipping-shipper"
    aws_request_id = "11111111-2222-3333-4444-555555555555"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-dev-log-shipping-shipper"
    memory_limit_in_mb = 512

    def __init__(self, remaining_ms: int = 300_000) -> None:
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


@pytest.fixture
def shipper_env(monkeypatch: pytest.MonkeyPatch, server: FakeBulkServer, s3: Any) -> Iterator[None]:
    for name, value in {"OPENSEARCH_ENDPOINT": server.url, "DEAD_LETTER_BUCKET": BUCKET,
                        "LOG_INDEX_PREFIX": "logs-dev", "TRACE_INDEX_PREFIX": "otel-v1-apm-span-dev",
                        "LOG_GROUP_PREFIX": "/platform/dev/", "ENVIRONMENT": "dev", "SERVICE_NAME": "log-shipping",
                        "METRICS_NAMESPACE": "platform/dev", "TELEMETRY_EXPORTER": "none",
                        "SHIPPER_SAFETY_MARGIN_MS": "1000"}.items():
        monkeypatch.setenv(name, value)
    app._clients.cache_clear()
    yield
    app._clients.cache_clear()


def emf_metrics(output: str) -> dict[str, Any]:
    """Metric name -> (value, unit) from the EMF lines written to stdout."""
    found: dict[str, Any] = {}
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive["Metrics"]:
                found[metric["Name"]] = (record[metric["Name"]], metric.get("Unit"))
    return found


def test_handler_ships_and_emits_the_contract_metrics(shipper_env: None, server: FakeBulkServer,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    events = [fixtures.log_event(n, fixtures.json_line(n)) for n in range(4)]
    response = app.handler(fixtures.awslogs_event(fixtures.payload_json("/platform/dev/orders/lambda-api", events)),
                           LambdaContext())
    assert response == {"shipped": 4, "dead_lettered": 0} and len(server.documents) == 4
    metrics = emf_metrics(capsys.readouterr().out)
    assert {name: unit for name, (_, unit) in metrics.items() if name in CONTRACT_METRICS} == CONTRACT_METRICS
    assert metrics["EventsReceived"][0] in (4, [4]) and metrics["EventsShipped"][0] in (4, [4])
    assert metrics["ShippingLagMs"][0] not in (0, [0])


def test_handler_returns_partial_batch_failures_for_kinesis(shipper_env: None, server: FakeBulkServer) -> None:
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [fixtures.log_event(1, "m")])
    assert app.handler(fixtures.kinesis_event([fixtures.encode(payload)]), LambdaContext()) == {"batchItemFailures": []}


def test_handler_raises_when_events_are_left_unsafe_and_still_reports_metrics(
        shipper_env: None, server: FakeBulkServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.plan.request_faults.extend([RequestFault(503)] * 20)
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [fixtures.log_event(1, "m")])
    with pytest.raises(IncompleteShipmentError):
        app.handler(fixtures.awslogs_event(payload), LambdaContext(remaining_ms=1_200))
    assert "EventsReceived" in emf_metrics(capsys.readouterr().out)


def test_a_dead_letter_creates_the_s3_client_when_first_needed(shipper_env: None, server: FakeBulkServer,
                                                               s3: Any) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(2))
    lazy = app._clients().s3
    assert lazy._client is None  # nothing created until a dead letter is written
    events = [fixtures.log_event(n, "m") for n in range(1, 4)]
    response = app.handler(fixtures.awslogs_event(fixtures.payload_json("/platform/dev/orders/lambda-api", events)),
                           LambdaContext())
    assert response == {"shipped": 2, "dead_lettered": 1} and lazy._client is not None
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1


def test_inside_lambda_a_missing_setting_fails_the_cold_start_not_a_batch() -> None:
    env = {key: value for key, value in os.environ.items() if key not in (
        "OPENSEARCH_ENDPOINT", "DEAD_LETTER_BUCKET", "LOG_INDEX_PREFIX", "TRACE_INDEX_PREFIX")}
    env.update({"AWS_LAMBDA_FUNCTION_NAME": "platform-dev-log-shipping-shipper", "TELEMETRY_EXPORTER": "none",
                "PYTHONPATH": str(Path(__file__).resolve().parents[3])})
    done = subprocess.run([sys.executable, "-c", "import handlers.log_shipper.app"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "log shipper is missing environment variables" in done.stderr


def _lines(output: str, message: str) -> list[dict[str, Any]]:
    return [record for record in map(json.loads, filter(lambda l: l.startswith("{"), output.splitlines()))
            if record.get("message") == message]


def test_a_routine_shipment_logs_at_debug_and_one_with_a_dead_letter_at_info(
        shipper_env: None, server: FakeBulkServer, s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Metrics describe a routine shipment fully; its line would cost every invocation."""
    group = "/platform/dev/orders/lambda-api"
    app.handler(fixtures.awslogs_event(fixtures.payload_json(group, [fixtures.log_event(1, "m")])), LambdaContext())
    assert _lines(capsys.readouterr().out, "shipment complete") == []
    server.plan.mapping_conflict_ids.add(fixtures.event_id(2))
    app.handler(fixtures.awslogs_event(fixtures.payload_json(group, [fixtures.log_event(2, "m")])), LambdaContext())
    [line] = _lines(capsys.readouterr().out, "shipment complete")
    assert (line["level"], line["dead_lettered"], line["endpoint_refusing"]) == ("INFO", 1, False)
    logger.set_level("DEBUG")
    try:
        app.handler(fixtures.awslogs_event(fixtures.payload_json(group, [fixtures.log_event(3, "m")])), LambdaContext())
    finally:
        logger.set_level("INFO")
    [line] = _lines(capsys.readouterr().out, "shipment complete")
    assert (line["level"], line["shipped"], line["dead_lettered"]) == ("DEBUG", 1, 0)


def test_the_containers_shipper_takes_each_invocations_deadline_and_forgets_the_last_ones_size_limit(
        shipper_env: None, server: FakeBulkServer) -> None:
    """One shipper serves every invocation of a container; nothing of one invocation may carry
    over into the next but what the container is meant to keep (connection, outage state)."""
    lines = [fixtures.log_event(n, "m" * 300) for n in range(12)]
    server.plan.max_content_length = 3_000  # a 413 teaches the deliverer a smaller chunk size
    first = LambdaContext()
    assert app.handler(fixtures.awslogs_event(fixtures.payload_json("/platform/dev/orders/lambda-api", lines)),
                       first)["shipped"] == 12
    container = app._clients()
    assert container.shipper.deliverer.max_chunk_bytes < container.config.max_chunk_bytes
    server.plan.max_content_length = None
    second = LambdaContext(remaining_ms=60_000)
    more = [fixtures.log_event(n, "m") for n in range(100, 103)]
    assert app.handler(fixtures.awslogs_event(fixtures.payload_json("/platform/dev/orders/lambda-api", more)),
                       second)["shipped"] == 3
    deliverer = app._clients().shipper.deliverer
    assert deliverer.max_chunk_bytes == container.config.max_chunk_bytes
    assert deliverer._remaining_ms.__self__ is second  # the deadline is the second invocation's
