"""The shipper against the local bulk endpoint with no faults: shape, naming, idempotency."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from handlers.log_shipper.events import handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.conftest import dead_letters
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer


def test_direct_event_indexes_every_event_once(server: FakeBulkServer, make_shipper: Callable[..., Any]) -> None:
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api",
                                    [fixtures.log_event(n, fixtures.json_line(n)) for n in range(20)])
    response, result = handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert response == {"shipped": 20, "dead_lettered": 0}
    assert len(server.documents) == 20
    assert {index for index, _ in server.documents} == {"logs-dev-orders-2026.11.18"}


def test_ten_thousand_mixed_events_across_log_groups(server: FakeBulkServer, make_shipper: Callable[..., Any],
                                                      s3: Any) -> None:
    payloads = fixtures.mixed_payloads(10_000, per_payload=500)
    event = fixtures.kinesis_event(fixtures.encode(p) for p in payloads)
    response, result = handle_event(event, make_shipper(SHIPPER_MAX_CHUNK_BYTES=1_000_000))
    assert response == {"batchItemFailures": []}
    assert (result.received, result.shipped, result.dead_lettered) == (10_000, 10_000, 0)
    assert len(server.documents) == 10_000 and dead_letters(s3) == []
    indices = {index for index, _ in server.documents}
    assert indices == {"logs-dev-orders-2026.11.18", "logs-dev-payments-2026.11.18",
                       "logs-dev-clickstream-2026.11.18", "otel-v1-apm-span-dev-2026.11.18"}
    assert all(r.body_bytes <= 1_000_000 for r in server.requests)
    assert all("content-encoding" not in r.headers and r.wire_bytes == r.body_bytes for r in server.requests)
    spans = [doc for (index, _), doc in server.documents.items() if index.startswith("otel")]
    assert spans and all("record_type" not in span and "traceId" in span for span in spans)
    reports = [doc for doc in server.documents.values() if doc.get("lambda", {}).get("type") == "REPORT"]
    assert reports and all(doc["lambda"]["duration_ms"] == 12.34 for doc in reports)


@pytest.mark.parametrize("compress", [False, True])
def test_requests_are_sigv4_signed_over_the_bytes_sent(compress: bool, server: FakeBulkServer,
                                                       make_shipper: Callable[..., Any]) -> None:
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api",
                                    [fixtures.log_event(n, fixtures.json_line(n)) for n in range(50)])
    handle_event(fixtures.awslogs_event(payload), make_shipper(SHIPPER_COMPRESS=str(compress).lower()))
    [request] = server.requests
    assert request.status == 200  # the fake verifies the signature with botocore, over the wire bytes
    assert "/us-east-1/es/aws4_request" in request.headers["authorization"]
    assert "x-amz-security-token" in request.headers
    assert (request.headers.get("content-encoding") == "gzip") is compress
    assert (request.wire_bytes < request.body_bytes) is compress
    assert len(server.documents) == 50
