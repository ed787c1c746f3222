"""The payment circuit breaker against moto DynamoDB: every transition, and agreement between callers."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.fulfilment.circuit import CALL, CLOSED, HALF_OPEN, OPEN, PROBE, REJECT, CircuitBreaker, CircuitState, decide
from handlers.fulfilment.config import PaymentSettings
from handlers.fulfilment.errors import CircuitOpen, PaymentDeclined, PaymentProviderRejected, PaymentProviderUnavailable
from tests.handlers.fulfilment.conftest import CIRCUIT_TABLE, circuit_item

THRESHOLD = 3
OPEN_SECONDS = 30.0


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(dynamodb: Any, clock: Clock) -> CircuitBreaker:
    return make_breaker(dynamodb, clock)


def make_breaker(dynamodb: Any, clock: Clock) -> CircuitBreaker:
    settings = PaymentSettings("https://pay.example", CIRCUIT_TABLE, THRESHOLD, OPEN_SECONDS)
    return CircuitBreaker(dynamodb, settings, clock=clock)


def failing() -> None:
    raise PaymentProviderUnavailable("503")


def raising(error: Exception) -> Callable[[], None]:
    def call() -> None:
        raise error

    return call


def fail_times(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(PaymentProviderUnavailable):
            breaker.call(failing)


def state_of(dynamodb: Any) -> str:
    return circuit_item(dynamodb).get("state", {}).get("S", CLOSED)


@given(
    st.sampled_from([CLOSED, OPEN, HALF_OPEN, "unknown"]),
    st.one_of(st.none(), st.floats(0, 2e9)),
    st.floats(0, 2e9),
    st.floats(1, 3600),
)
def test_decide_rejects_exactly_within_the_open_period(state: str, opened_at: float | None, now: float, open_seconds: float) -> None:
    decision = decide(CircuitState(state, 0, opened_at), now, open_seconds)
    if state not in (OPEN, HALF_OPEN):
        assert decision == CALL
    elif opened_at is not None and now < opened_at + open_seconds:
        assert decision == REJECT
    else:
        assert decision == PROBE


def test_a_closed_circuit_calls_and_a_success_costs_no_write(breaker: CircuitBreaker, dynamodb: Any) -> None:
    assert breaker.call(lambda: "charged") == "charged"
    assert circuit_item(dynamodb) == {}


def test_consecutive_failures_open_the_circuit_at_the_threshold(breaker: CircuitBreaker, dynamodb: Any, clock: Clock) -> None:
    fail_times(breaker, THRESHOLD - 1)
    assert state_of(dynamodb) == CLOSED
    fail_times(breaker, 1)
    item = circuit_item(dynamodb)
    assert item["state"]["S"] == OPEN and float(item["opened_at"]["N"]) == clock.now


def test_a_success_resets_the_count_so_only_consecutive_failures_open(breaker: CircuitBreaker, dynamodb: Any) -> None:
    fail_times(breaker, THRESHOLD - 1)
    breaker.call(lambda: None)
    fail_times(breaker, THRESHOLD - 1)
    assert state_of(dynamodb) == CLOSED and circuit_item(dynamodb)["failures"]["N"] == str(THRESHOLD - 1)


@pytest.mark.parametrize("answer", [PaymentDeclined("no funds"), PaymentProviderRejected("400")])
def test_an_answer_from_the_provider_is_not_a_failure(breaker: CircuitBreaker, dynamodb: Any, answer: Exception) -> None:
    fail_times(breaker, THRESHOLD - 1)
    with pytest.raises(type(answer)):
        breaker.call(raising(answer))
    fail_times(breaker, THRESHOLD - 1)
    assert state_of(dynamodb) == CLOSED


def test_an_error_of_our_own_neither_counts_nor_resets(breaker: CircuitBreaker, dynamodb: Any) -> None:
    fail_times(breaker, THRESHOLD - 1)
    with pytest.raises(KeyError):
        breaker.call(raising(KeyError("bug")))
    assert circuit_item(dynamodb)["failures"]["N"] == str(THRESHOLD - 1)


def test_an_open_circuit_fails_fast_without_calling(breaker: CircuitBreaker, clock: Clock) -> None:
    fail_times(breaker, THRESHOLD)
    calls = []
    clock.now += OPEN_SECONDS - 1
    with pytest.raises(CircuitOpen, match="not called for another 1 s"):
        breaker.call(lambda: calls.append(1))
    assert calls == []


def test_after_the_open_period_one_probe_closes_it_on_success(breaker: CircuitBreaker, dynamodb: Any, clock: Clock) -> None:
    fail_times(breaker, THRESHOLD)
    clock.now += OPEN_SECONDS
    assert breaker.call(lambda: "ok") == "ok"
    item = circuit_item(dynamodb)
    assert item["state"]["S"] == CLOSED and item["failures"]["N"] == "0" and "opened_at" not in item


def test_a_failed_probe_opens_it_for_another_period(breaker: CircuitBreaker, dynamodb: Any, clock: Clock) -> None:
    fail_times(breaker, THRESHOLD)
    clock.now += OPEN_SECONDS
    fail_times(breaker, 1)
    item = circuit_item(dynamodb)
    assert item["state"]["S"] == OPEN and float(item["opened_at"]["N"]) == clock.now
    clock.now += OPEN_SECONDS - 1
    with pytest.raises(CircuitOpen):
        breaker.call(lambda: None)


def test_a_declined_probe_still_closes_it(breaker: CircuitBreaker, dynamodb: Any, clock: Clock) -> None:
    fail_times(breaker, THRESHOLD)
    clock.now += OPEN_SECONDS
    with pytest.raises(PaymentDeclined):
        breaker.call(raising(PaymentDeclined("no funds")))
    assert state_of(dynamodb) == CLOSED


def test_concurrent_callers_agree_on_a_single_probe(dynamodb: Any, clock: Clock) -> None:
    """Two executions see the open period end at the same moment: one probes, the other fails fast."""
    first, second = make_breaker(dynamodb, clock), make_breaker(dynamodb, clock)
    fail_times(first, THRESHOLD)
    clock.now += OPEN_SECONDS
    outcomes: list[str] = []

    def probe() -> str:
        with pytest.raises(CircuitOpen, match="another execution is probing"):
            second.call(lambda: outcomes.append("second called"))
        outcomes.append("probed")
        return "ok"

    assert first.call(probe) == "ok"
    assert outcomes == ["probed"] and state_of(dynamodb) == CLOSED


def test_a_probe_that_never_reports_is_taken_over_one_period_later(dynamodb: Any, clock: Clock) -> None:
    breaker = make_breaker(dynamodb, clock)
    fail_times(breaker, THRESHOLD)
    clock.now += OPEN_SECONDS
    assert breaker._start_probe(breaker.load(), clock.now)  # a probe whose Lambda then dies
    with pytest.raises(CircuitOpen):
        breaker.call(lambda: None)
    clock.now += OPEN_SECONDS
    assert breaker.call(lambda: "ok") == "ok" and state_of(dynamodb) == CLOSED


def test_only_one_concurrent_failure_opens_the_circuit(dynamodb: Any, clock: Clock) -> None:
    """Failures that all read a closed circuit before any of them wrote still open it once."""
    breakers = [make_breaker(dynamodb, clock) for _ in range(THRESHOLD + 2)]
    for breaker in breakers:
        breaker._failed()
        clock.now += 1
    item = circuit_item(dynamodb)
    assert item["state"]["S"] == OPEN and item["failures"]["N"] == str(THRESHOLD + 2)
    assert float(item["opened_at"]["N"]) == 1_800_000_000.0 + THRESHOLD - 1  # the threshold-reaching failure's time


def test_a_late_success_does_not_close_a_circuit_someone_else_opened(dynamodb: Any, clock: Clock) -> None:
    slow, other = make_breaker(dynamodb, clock), make_breaker(dynamodb, clock)
    fail_times(other, 1)

    def meanwhile_it_opens() -> str:
        fail_times(other, THRESHOLD - 1)
        return "ok"

    assert slow.call(meanwhile_it_opens) == "ok"
    assert state_of(dynamodb) == OPEN
