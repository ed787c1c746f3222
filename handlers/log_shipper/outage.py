"""A bound on the time spent on an endpoint that refuses every request (a sustained outage or
throttling: whole-request 429, 5xx, timeouts, connection errors).

Without it, each invocation held its full retry schedule (11 to 14 s) before giving up, and
Lambda's own retries repeated that for the same payload, while nothing got through. The guard
lives as long as the container, so it spans invocations:

- while requests are answered (whatever their items say), it does nothing;
- from the first refused request, the container keeps retrying for at most ``budget_ms``;
- after that the circuit is open: each invocation sends one request as a probe, and gives up
  at once if it is refused too, leaving its events to Lambda's retry and on-failure
  destination exactly as when time runs out; the first answered request closes the circuit.

Nothing is lost or duplicated: events not sent stay pending (the handler raises on the direct
path, reports them in ``batchItemFailures`` on Kinesis) and ``create`` keeps redelivery idempotent.
"""
from __future__ import annotations

import time
from typing import Callable

DEFAULT_BUDGET_MS = 3_000


class OutageGuard:
    def __init__(self, budget_ms: float = DEFAULT_BUDGET_MS, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget_ms = budget_ms
        self._clock = clock
        self._refusing_since: float | None = None
        self._open = False
        self.refused_in_a_row = 0

    @property
    def is_open(self) -> bool:
        """The budget is spent: the endpoint refused everything for (nearly) all of it."""
        return self._open

    def allows(self, requests_sent_by_this_invocation: int, after_seconds: float = 0.0) -> bool:
        """Whether a request may be sent (after sleeping ``after_seconds``). Every invocation may
        send one, so a recovered endpoint is noticed by the next invocation; a refusal here
        opens the circuit."""
        if requests_sent_by_this_invocation == 0 or self._refusing_since is None:
            return True
        if not self._open and self._refused_for_ms() + after_seconds * 1000 >= self.budget_ms:
            self._open = True
        return not self._open

    def answered(self) -> None:
        self._refusing_since = None
        self._open = False
        self.refused_in_a_row = 0

    def refused(self) -> None:
        if self._refusing_since is None:
            self._refusing_since = self._clock()
        self.refused_in_a_row += 1

    def _refused_for_ms(self) -> float:
        assert self._refusing_since is not None
        return (self._clock() - self._refusing_since) * 1000
