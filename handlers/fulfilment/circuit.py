"""A Circuit Breaker around the payment provider, with its state in DynamoDB.

Every concurrent execution (each in its own Lambda) must agree on the circuit, so the state
lives in one item of the circuit table, `{circuit, state, failures, opened_at}`, and every
transition is a conditional write that only one caller can win:

- closed: calls go through; each provider failure adds one to `failures` (atomically), a
  success resets it; the failure that reaches the threshold opens the circuit.
- open: calls fail fast with CircuitOpen until `opened_at + open_seconds`.
- half_open: after the open period, the one caller that wins the open → half_open write
  probes the provider; everyone else still fails fast. The probe's success closes the circuit,
  its failure opens it again for another period. In half_open, `opened_at` is when the probe
  began, so a probe that never reports back (its Lambda died) is taken over one period later.

Only provider *unavailability* counts as a failure: a declined card is the provider working.
`decide` is the pure part; `CircuitBreaker` does the reads and writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

from handlers.fulfilment.config import PaymentSettings
from handlers.fulfilment.errors import CircuitOpen, PaymentDeclined, PaymentProviderRejected, PaymentProviderUnavailable
from handlers.telemetry import MetricUnit, logger, metrics

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"
PAYMENT_CIRCUIT = "payment-provider"
CALL = "call"
PROBE = "probe"
REJECT = "reject"

Result = TypeVar("Result")
#: Exceptions that prove the provider answered: for the circuit they are successes.
PROVIDER_ANSWERS: tuple[type[BaseException], ...] = (PaymentDeclined, PaymentProviderRejected)
Clock = Callable[[], float]


@dataclass(frozen=True)
class CircuitState:
    state: str = CLOSED
    failures: int = 0
    opened_at: float | None = None

    @classmethod
    def from_item(cls, item: Mapping[str, Any] | None) -> CircuitState:
        if not item:
            return cls()
        opened = item.get("opened_at", {}).get("N")
        return cls(
            state=item.get("state", {}).get("S", CLOSED),
            failures=int(item.get("failures", {}).get("N", "0")),
            opened_at=float(opened) if opened is not None else None,
        )


def decide(circuit: CircuitState, now: float, open_seconds: float) -> str:
    """CALL, PROBE (try to become the half-open probe) or REJECT (fail fast)."""
    if circuit.state not in (OPEN, HALF_OPEN):
        return CALL
    if circuit.opened_at is None or now >= circuit.opened_at + open_seconds:
        return PROBE
    return REJECT


class CircuitBreaker:
    def __init__(self, client: Any, settings: PaymentSettings, name: str = PAYMENT_CIRCUIT, clock: Clock | None = None) -> None:
        self.client = client
        self.table = settings.circuit_table
        self.threshold = settings.failure_threshold
        self.open_seconds = settings.open_seconds
        self.name = name
        self.clock = clock or time.time

    # ---------------------------------------------------------------- reads and writes

    def load(self) -> CircuitState:
        found = self.client.get_item(TableName=self.table, Key=self._key(), ConsistentRead=True)
        return CircuitState.from_item(found.get("Item"))

    def _key(self) -> dict[str, Any]:
        return {"circuit": {"S": self.name}}

    def _conditional_update(self, update: str, condition: str, values: dict[str, Any], remove_opened: bool = False) -> bool:
        """One transition; False when another caller changed the circuit first."""
        expression = update + (" REMOVE opened_at" if remove_opened else "")
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
            )
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            return False

    def _start_probe(self, seen: CircuitState, now: float) -> bool:
        values: dict[str, Any] = {":half_open": {"S": HALF_OPEN}, ":now": _number(now), ":seen_state": {"S": seen.state}}
        condition = "#state = :seen_state AND "
        if seen.opened_at is None:
            condition += "attribute_not_exists(opened_at)"
        else:
            condition += "opened_at = :seen_opened"
            values[":seen_opened"] = _number(seen.opened_at)
        return self._conditional_update("SET #state = :half_open, opened_at = :now", condition, values)

    def _probe_succeeded(self, probe_started: float) -> None:
        if self._conditional_update(
            "SET #state = :closed, failures = :zero",
            "#state = :half_open AND opened_at = :started",
            {":closed": {"S": CLOSED}, ":zero": {"N": "0"}, ":half_open": {"S": HALF_OPEN}, ":started": _number(probe_started)},
            remove_opened=True,
        ):
            logger.info("payment circuit closed", circuit=self.name)
            metrics.add_metric("CircuitClosed", 1, unit=MetricUnit.Count)

    def _probe_failed(self, probe_started: float) -> None:
        if self._conditional_update(
            "SET #state = :open, opened_at = :now ADD failures :one",
            "#state = :half_open AND opened_at = :started",
            {":open": {"S": OPEN}, ":now": _number(self.clock()), ":one": {"N": "1"}, ":half_open": {"S": HALF_OPEN}, ":started": _number(probe_started)},
        ):
            self._opened("probe failed")

    def _failed(self) -> None:
        found = self.client.update_item(
            TableName=self.table,
            Key=self._key(),
            UpdateExpression="ADD failures :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
        circuit = CircuitState.from_item(found.get("Attributes"))
        if circuit.state == CLOSED and circuit.failures >= self.threshold:
            if self._conditional_update(
                "SET #state = :open, opened_at = :now",
                "(attribute_not_exists(#state) OR #state = :closed) AND failures >= :threshold",
                {":open": {"S": OPEN}, ":now": _number(self.clock()), ":closed": {"S": CLOSED}, ":threshold": {"N": str(self.threshold)}},
            ):
                self._opened(f"{circuit.failures} consecutive failures")

    def _succeeded(self, seen: CircuitState) -> None:
        if seen.failures == 0:
            return  # the common case costs no write
        self._conditional_update(
            "SET failures = :zero",
            "attribute_not_exists(#state) OR #state = :closed",
            {":zero": {"N": "0"}, ":closed": {"S": CLOSED}},
        )

    def _opened(self, why: str) -> None:
        logger.warning("payment circuit opened", circuit=self.name, reason=why, open_seconds=self.open_seconds)
        metrics.add_metric("CircuitOpened", 1, unit=MetricUnit.Count)

    # ---------------------------------------------------------------- the call

    def call(self, operation: Callable[[], Result]) -> Result:
        """Run `operation` through the circuit; CircuitOpen without running it when open."""
        seen = self.load()
        now = self.clock()
        decision = decide(seen, now, self.open_seconds)
        if decision == PROBE and not self._start_probe(seen, now):
            seen, decision = CircuitState(HALF_OPEN, seen.failures, now), REJECT  # another execution won the probe
        if decision == REJECT:
            metrics.add_metric("CircuitRejections", 1, unit=MetricUnit.Count)
            raise CircuitOpen(self._rejection(seen, now))
        probing = decision == PROBE
        if probing:
            logger.info("payment circuit half-open: probing the provider", circuit=self.name)
        try:
            result = operation()
        except PaymentProviderUnavailable:
            self._record(False, seen, probe_started=now if probing else None)
            raise
        except PROVIDER_ANSWERS:
            self._record(True, seen, probe_started=now if probing else None)
            raise
        self._record(True, seen, probe_started=now if probing else None)
        return result

    def _rejection(self, seen: CircuitState, now: float) -> str:
        if seen.state == HALF_OPEN:
            return "payment circuit is half-open: another execution is probing the provider"
        wait = (seen.opened_at or now) + self.open_seconds - now
        return f"payment circuit is open: the provider is not called for another {wait:.0f} s"

    def _record(self, answered: bool, seen: CircuitState, probe_started: float | None) -> None:
        if probe_started is not None:
            (self._probe_succeeded if answered else self._probe_failed)(probe_started)
        elif answered:
            self._succeeded(seen)
        else:
            self._failed()


def _number(value: float) -> dict[str, str]:
    """Epoch seconds with millisecond precision: equality conditions compare what we wrote."""
    return {"N": f"{value:.3f}"}
