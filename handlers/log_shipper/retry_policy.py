"""Backoff between delivery rounds, bounded by the time Lambda has left.

Sleeping and the clock are injected so tests run the full retry logic in milliseconds.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

RemainingMs = Callable[[], float]
Sleep = Callable[[float], None]


# One generator per process: seeding a new one from os.urandom for each invocation's policy
# cost ~20 µs, and jitter only has to differ between containers, not between invocations.
_PROCESS_RNG = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 0.2
    cap_seconds: float = 5.0
    safety_margin_ms: int = 10_000
    request_timeout_seconds: float = 30.0
    rng: random.Random = field(default_factory=lambda: _PROCESS_RNG, compare=False)

    def backoff_seconds(self, attempt: int) -> float:
        """Equal jitter: never zero (so a throttled cluster gets real relief), never synchronised."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(attempt - 1, 0)))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def usable_ms(self, remaining_ms: float) -> float:
        """Time that may still be spent shipping, keeping the margin for dead-lettering and return."""
        return remaining_ms - self.safety_margin_ms


def no_deadline() -> float:
    """For callers without a Lambda context (replay CLI, benchmarks): effectively unlimited."""
    return float("inf")


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)
