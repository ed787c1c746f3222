"""Fault injection against the local bulk endpoint: zero lost events, zero duplicates, always.

Each scenario ships the same mixed batch through the direct and the Kinesis path; when the
shipper leaves records unsafe (time or attempts ran out) the test redelivers them the way
Lambda would, with the fault gone, and then checks the books.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

from handlers.log_shipper.events import IncompleteShipmentError, handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.accounting import assert_exactly_once_or_dead_lettered
from tests.handlers.log_shipper.conftest import RotatingCredentials, dead_letters, fast_policy
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, ItemFault, RequestFault

PAYLOADS = fixtures.mixed_payloads(150, per_payload=50)


def ship_until_safe(event: dict[str, Any], shipper_factory: Callable[[], Any], max_deliveries: int = 3) -> int:
    """Deliver like Lambda: the direct path is retried when it raises, Kinesis re-reads failures."""
    for delivery in range(1, max_deliveries + 1):
        try:
            response, _ = handle_event(event, shipper_factory())
        except IncompleteShipmentError:
            continue
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        if not failed:
            return delivery
        event = {"Records": [r for r in event["Records"] if r["kinesis"]["sequenceNumber"] in failed]}
    raise AssertionError("records still unsafe after redelivery")


def events_for(path: str) -> dict[str, Any]:
    if path == "direct":
        merged = dict(PAYLOADS[0])
        merged["logEvents"] = [e for p in PAYLOADS if p["logGroup"] == PAYLOADS[0]["logGroup"] for e in p["logEvents"]]
        return fixtures.awslogs_event(merged)
    return fixtures.kinesis_event(fixtures.encode(p) for p in PAYLOADS)


def expected_payloads(path: str) -> list[dict[str, Any]]:
    return [p for p in PAYLOADS if path == "kinesis" or p["logGroup"] == PAYLOADS[0]["logGroup"]]


SCENARIOS: dict[str, Callable[[FakeBulkServer], None]] = {
    "no_fault": lambda s: None,
    "whole_request_429_twice": lambda s: s.plan.request_faults.extend([RequestFault(429), RequestFault(429)]),
    "whole_request_503_500_502": lambda s: s.plan.request_faults.extend(
        [RequestFault(503), RequestFault(500), RequestFault(502)]),
    "item_429_every_3rd": lambda s: s.plan.item_faults.extend([ItemFault(429, every=3)]),
    "item_503_then_item_429": lambda s: s.plan.item_faults.extend([ItemFault(503, every=2), ItemFault(429, every=5)]),
    "mapping_conflicts": lambda s: s.plan.mapping_conflict_ids.update(
        fixtures.event_id(n) for n in (0, 7, 75, 149)),
    "request_413_splits": lambda s: setattr(s.plan, "max_content_length", 8_000),
    "whole_request_400": lambda s: s.plan.request_faults.extend([RequestFault(400)]),
    "persistent_503_outlasts_attempts": lambda s: s.plan.request_faults.extend([RequestFault(503)] * 12),
    "mixed_everything": lambda s: (
        s.plan.request_faults.extend([RequestFault(429), RequestFault(503)]),
        s.plan.item_faults.extend([None, None, ItemFault(429, every=4), ItemFault(500, every=3)]),
        s.plan.mapping_conflict_ids.update({fixtures.event_id(3)}),
        setattr(s.plan, "max_content_length", 20_000)),
}


@pytest.mark.parametrize("path", ["direct", "kinesis"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_fault_matrix(scenario: str, path: str, server: FakeBulkServer, s3: Any,
                      make_shipper: Callable[..., Any]) -> None:
    SCENARIOS[scenario](server)
    ship_until_safe(events_for(path), make_shipper)
    books = assert_exactly_once_or_dead_lettered(server, s3, expected_payloads(path))
    if scenario == "whole_request_400":
        # one chunk, rejected as a whole: every event is kept for replay, none is half-shipped
        assert books["indexed"] == [] and {l["reason"] for l in dead_letters(s3)} == {"request_rejected"}
    if scenario == "mapping_conflicts":
        assert {l["reason"] for l in dead_letters(s3)} == {"mapper_parsing_exception"}


def test_413_halves_until_chunks_fit(server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    server.plan.max_content_length = 8_000
    handle_event(events_for("kinesis"), make_shipper())
    statuses = [r.status for r in server.requests]
    assert 413 in statuses
    assert all(r.body_bytes <= 8_000 for r in server.requests if r.status == 200)
    assert dead_letters(s3) == []


def test_single_document_still_too_large_is_dead_lettered_with_reason(
        server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    server.plan.max_content_length = 5_000
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [
        fixtures.log_event(1, "small"), fixtures.log_event(2, "x" * 8_000), fixtures.log_event(3, "small too")])
    handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert server.ids() == {fixtures.event_id(1), fixtures.event_id(3)}
    [letter] = dead_letters(s3)
    assert letter["reason"] == "request_entity_too_large" and letter["error"]["status"] == 413
    assert letter["record"]["event"]["message"] == "x" * 8_000


def test_expired_token_refreshes_credentials_and_ships(server: FakeBulkServer, s3: Any,
                                                       make_shipper: Callable[..., Any]) -> None:
    server.plan.expired_access_keys = {"expired-key"}
    credentials = RotatingCredentials("expired-key", "fresh-key")
    response, result = handle_event(events_for("direct"), make_shipper(credentials=credentials))
    assert credentials.calls == 2 and result.dead_lettered == 0
    assert [r.status for r in server.requests][0] == 403
    assert_exactly_once_or_dead_lettered(server, s3, expected_payloads("direct"))


def test_a_403_that_is_not_about_expiry_is_not_retried_forever(server: FakeBulkServer, s3: Any,
                                                               make_shipper: Callable[..., Any]) -> None:
    server.plan.expired_access_keys = {"k"}
    server.plan.request_faults.append(RequestFault(403, body={"message": "no permissions for [indices:data/write/bulk]"}))
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [fixtures.log_event(1, "m")])
    handle_event(fixtures.awslogs_event(payload), make_shipper(credentials=RotatingCredentials("fresh")))
    assert [l["reason"] for l in dead_letters(s3)] == ["request_rejected"]


def test_slow_cluster_timeout_is_retried_without_duplicates(server: FakeBulkServer, s3: Any,
                                                            make_shipper: Callable[..., Any]) -> None:
    server.plan.request_faults.append(RequestFault(delay_seconds=0.6))
    shipper = make_shipper(policy=fast_policy(request_timeout_seconds=0.2))
    _, result = handle_event(events_for("direct"), shipper)
    assert result.retried > 0
    assert max(server.create_attempts.values()) == 2  # the timed-out request had indexed them: 409 on retry
    assert_exactly_once_or_dead_lettered(server, s3, expected_payloads("direct"))


def test_duplicate_delivery_is_idempotent(server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    event = events_for("kinesis")
    first, _ = handle_event(event, make_shipper())
    second, result = handle_event(event, make_shipper())
    assert first == second == {"batchItemFailures": []}
    assert result.shipped == 150  # 409s count as shipped
    assert len(server.documents) == 150
    assert_exactly_once_or_dead_lettered(server, s3, PAYLOADS)


def test_time_running_out_reports_only_unsafe_kinesis_records(server: FakeBulkServer, s3: Any,
                                                             make_shipper: Callable[..., Any]) -> None:
    server.plan.request_faults.extend([RequestFault(503)] * 50)
    shipper = make_shipper(remaining_ms=lambda: 1_500.0, policy=fast_policy(safety_margin_ms=1_000,
                                                                             base_seconds=1.0, cap_seconds=1.0))
    response, result = handle_event(events_for("kinesis"), shipper)
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {
        r["kinesis"]["sequenceNumber"] for r in events_for("kinesis")["Records"]}
    assert result.pending_events == 150


def test_time_running_out_on_the_direct_path_raises_for_lambda_retry(
        server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    server.plan.request_faults.extend([RequestFault(503)] * 50)
    with pytest.raises(IncompleteShipmentError):
        handle_event(events_for("direct"), make_shipper(remaining_ms=lambda: 1_500.0,
                                                        policy=fast_policy(base_seconds=1.0, cap_seconds=1.0)))
