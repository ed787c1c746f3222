"""Which failures are retried, split, refreshed or dead-lettered, and how long the loop waits."""
from __future__ import annotations

import random
from typing import Any

import pytest

from handlers.log_shipper.cloudwatch_payload import LogEvent
from handlers.log_shipper.delivery import Deliverer, chunk_documents
from handlers.log_shipper.documents import Document, Origin
from handlers.log_shipper.failures import RequestFailure, classify_status, item_is_retryable, item_is_success
from handlers.log_shipper.retry_policy import RetryPolicy

ORIGIN = Origin("o", "/platform/dev/orders/x", "s", ())


def make_documents(count: int, size: int = 10) -> list[Document]:
    return [Document("logs-dev-orders-2026.11.18", str(n), {"message": "x" * size}, LogEvent(str(n), 0, "x"), ORIGIN)
            for n in range(count)]


@pytest.mark.parametrize(("status", "detail", "kind"), [
    (429, "", "retryable"), (500, "", "retryable"), (502, "", "retryable"), (503, "", "retryable"),
    (504, "", "retryable"), (408, "", "retryable"), (None, "connection refused", "retryable"),
    (413, "", "too_large"),
    (403, '{"message": "The security token included in the request is expired"}', "expired_credentials"),
    (403, '{"message": "no permissions for [indices:data/write/bulk]"}', "rejected"),
    (400, "", "rejected"), (401, "", "rejected"), (404, "", "rejected"),
])
def test_whole_request_statuses(status: int | None, detail: str, kind: str) -> None:
    assert classify_status(status, detail) == kind


def test_item_statuses() -> None:
    assert item_is_success(201) and item_is_success(200) and item_is_success(409)
    assert item_is_retryable(429) and item_is_retryable(503)
    assert not item_is_success(400) and not item_is_retryable(400)


def test_chunks_never_exceed_the_limit_and_keep_order() -> None:
    documents = make_documents(100, size=50)
    limit = len(documents[0].ndjson) * 7 + 3
    chunks = list(chunk_documents(documents, limit))
    assert all(sum(len(d.ndjson) for d in chunk) <= limit for chunk in chunks)
    assert [d for chunk in chunks for d in chunk] == documents


def test_a_document_larger_than_the_limit_travels_alone() -> None:
    small, big = make_documents(1)[0], make_documents(1, size=1000)[0]
    assert [len(c) for c in chunk_documents([small, big, small], 200)] == [1, 1, 1]


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base_seconds=0.2, cap_seconds=5.0, rng=random.Random(3))
    for attempt, ceiling in [(1, 0.2), (2, 0.4), (3, 0.8), (6, 5.0), (20, 5.0)]:
        delays = [policy.backoff_seconds(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


class AlwaysThrottled:
    def __init__(self) -> None:
        self.calls = 0

    def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
        self.calls += 1
        raise RequestFailure("retryable", 429, "throttled")

    def refresh_credentials(self) -> None:
        raise AssertionError("not expected")


def test_retries_stop_when_the_next_backoff_would_eat_the_safety_margin() -> None:
    clock = {"remaining": 12_000.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["remaining"] -= seconds * 1000

    policy = RetryPolicy(max_attempts=100, base_seconds=0.5, cap_seconds=0.5, safety_margin_ms=10_000,
                         rng=random.Random(1))
    transport = AlwaysThrottled()
    report = Deliverer(transport, policy, lambda: clock["remaining"], sleep).deliver(make_documents(3))
    assert len(report.pending) == 3 and not report.shipped and not report.failed
    assert clock["remaining"] > policy.safety_margin_ms  # never slept into the margin
    assert 1 < transport.calls < 100 and len(slept) == transport.calls - 1


def test_request_timeout_is_bounded_by_the_time_left() -> None:
    seen: list[float] = []

    class Recording(AlwaysThrottled):
        def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
            seen.append(timeout_seconds)
            return {"errors": False, "items": [{"create": {"status": 201}}]}

    policy = RetryPolicy(safety_margin_ms=10_000, request_timeout_seconds=30.0)
    Deliverer(Recording(), policy, lambda: 12_500.0).deliver(make_documents(1))
    assert seen == [2.5]


def test_no_request_is_sent_inside_the_safety_margin() -> None:
    transport = AlwaysThrottled()
    report = Deliverer(transport, RetryPolicy(safety_margin_ms=10_000), lambda: 9_000.0).deliver(make_documents(2))
    assert transport.calls == 0 and len(report.pending) == 2


def test_unmatched_or_missing_items_are_resent_not_assumed_shipped() -> None:
    responses = [{"errors": True, "items": [{"create": {"_id": "other", "status": 201}}]},
                 {"errors": False, "items": [{"create": {"_id": "0", "status": 201}},
                                             {"create": {"_id": "1", "status": 201}}]}]

    class Scripted(AlwaysThrottled):
        def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
            return responses.pop(0)

    report = Deliverer(Scripted(), RetryPolicy(rng=random.Random(1)), sleep=lambda s: None).deliver(make_documents(2))
    assert [d.id for d in report.shipped] == ["0", "1"] and report.retried == 2


def test_safety_margin_shrinks_for_short_invocations() -> None:
    from handlers.log_shipper.wiring import policy_from
    from tests.handlers.log_shipper.conftest import shipper_config

    config = shipper_config("http://127.0.0.1:1")
    assert policy_from(config, 900_000).safety_margin_ms == 10_000
    assert policy_from(config, 10_000).safety_margin_ms == 2_000
    assert policy_from(config).safety_margin_ms == 10_000
