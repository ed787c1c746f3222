"""A sustained outage costs each container one outage budget, then one probe per invocation;
nothing is lost or duplicated, and the first answered request closes the circuit."""
from __future__ import annotations

import random
from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.log_shipper.delivery import Deliverer
from handlers.log_shipper.events import IncompleteShipmentError, handle_event
from handlers.log_shipper.failures import RequestFailure
from handlers.log_shipper.outage import OutageGuard
from handlers.log_shipper.retry_policy import RetryPolicy
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.accounting import assert_exactly_once_or_dead_lettered
from tests.handlers.log_shipper.conftest import empty_bucket, fast_policy
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, RequestFault
from tests.handlers.log_shipper.test_retry_rules import make_documents


class Clock:
    """Simulated time: sleeping and every request advance it, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Endpoint:
    """Refuses every request with 429 while ``down``; each request takes 50 ms."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.down = True
        self.requests = 0

    def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
        self.requests += 1
        self.clock.now += 0.05
        if self.down:
            raise RequestFailure("retryable", 429, "too many requests")
        count = body.count(b"\n") // 2
        return {"errors": False, "items": [{"create": {"status": 201}}] * count}

    def refresh_credentials(self) -> None:
        pass


LAMBDA_POLICY = RetryPolicy(rng=random.Random(3))  # the shipped schedule: 8 rounds, 0.2 s base, 5 s cap


def invoke(endpoint: Endpoint, guard: OutageGuard, clock: Clock, documents: int = 20) -> tuple[Any, float]:
    """One invocation with 60 s left, like the platform's function timeout; returns (report, seconds)."""
    started = clock.now
    deadline = started + 60
    deliverer = Deliverer(endpoint, LAMBDA_POLICY, lambda: (deadline - clock.now) * 1000, clock.sleep, guard=guard)
    report = deliverer.deliver(make_documents(documents))
    return report, clock.now - started


def test_an_outage_costs_one_budget_then_one_probe_per_invocation() -> None:
    clock = Clock()
    endpoint = Endpoint(clock)
    guard = OutageGuard(budget_ms=3_000, clock=clock)
    first, seconds = invoke(endpoint, guard, clock)
    assert len(first.pending) == 20 and first.endpoint_refusing and guard.is_open
    assert seconds <= 3.0 + 0.05  # not the 11-14 s of the whole retry schedule
    for _ in range(5):  # Lambda's retries of this payload and the next ones
        before = endpoint.requests
        report, seconds = invoke(endpoint, guard, clock)
        assert endpoint.requests - before == 1 and len(report.pending) == 20 and seconds <= 0.05 + 1e-9
    endpoint.down = False
    report, _ = invoke(endpoint, guard, clock)
    assert len(report.shipped) == 20 and not report.endpoint_refusing and not guard.is_open


def test_without_a_budget_the_schedule_would_hold_the_invocation_for_seconds() -> None:
    """The behaviour the guard bounds: the retry schedule alone holds ~11-14 s per invocation."""
    clock = Clock()
    report, seconds = invoke(Endpoint(clock), OutageGuard(budget_ms=float("inf"), clock=clock), clock)
    assert len(report.pending) == 20 and seconds > 8


def test_short_throttling_inside_the_budget_is_ridden_out() -> None:
    clock = Clock()
    endpoint = Endpoint(clock)
    refusals = iter(range(3))

    class Throttled(Endpoint):
        def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
            self.down = next(refusals, None) is not None
            return super().bulk(body, timeout_seconds)

    throttled = Throttled(clock)
    report, _ = invoke(throttled, OutageGuard(budget_ms=3_000, clock=clock), clock)
    assert len(report.shipped) == 20 and not report.endpoint_refusing and endpoint.requests == 0


def test_answered_requests_keep_the_circuit_closed_whatever_their_items_say() -> None:
    guard = OutageGuard(budget_ms=0)
    guard.refused()
    assert not guard.allows(1) and guard.is_open and guard.allows(0)  # the probe is always allowed
    guard.answered()
    assert not guard.is_open and guard.allows(5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(outage=st.integers(0, 40), path=st.sampled_from(["direct", "kinesis"]), budget_ms=st.sampled_from([0, 5, 30]))
def test_any_outage_ends_with_every_event_indexed_once_or_dead_lettered(
        server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any], outage: int, path: str,
        budget_ms: int) -> None:
    """The container's guard is shared by every invocation; Lambda redelivers until all is safe."""
    server.reset()
    empty_bucket(s3)
    payloads = fixtures.mixed_payloads(60, per_payload=20)
    server.plan.request_faults.extend(RequestFault(503) for _ in range(outage))
    server.plan.mapping_conflict_ids.add(fixtures.event_id(7))
    guard = OutageGuard(budget_ms=budget_ms)
    events = ([fixtures.awslogs_event(p) for p in payloads] if path == "direct"
              else [fixtures.kinesis_event(fixtures.encode(p) for p in payloads)])
    for event in events:
        for _ in range(outage + 2):
            before, was_open = len(server.requests), guard.is_open
            try:
                response, _ = handle_event(event, make_shipper(policy=fast_policy(), guard=guard))
            except IncompleteShipmentError:
                assert not (was_open and guard.is_open) or len(server.requests) - before == 1  # only the probe
                continue
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            if not failed:
                break
            assert not (was_open and guard.is_open) or len(server.requests) - before == 1
            event = {"Records": [r for r in event["Records"] if r["kinesis"]["sequenceNumber"] in failed]}
        else:
            raise AssertionError("still unsafe after the outage ended")
    assert_exactly_once_or_dead_lettered(server, s3, payloads)


def test_the_budget_is_a_setting(server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    """SHIPPER_OUTAGE_BUDGET_MS=0: the first refused request is the last one of the invocation."""
    server.plan.request_faults.extend([RequestFault(503)] * 20)
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [fixtures.log_event(1, "m")])
    try:
        handle_event(fixtures.awslogs_event(payload), make_shipper(SHIPPER_OUTAGE_BUDGET_MS=0))
    except IncompleteShipmentError as incomplete:
        assert incomplete.result.endpoint_refusing
    else:
        raise AssertionError("the event should have been left to Lambda's retry")
    assert len(server.requests) == 1
