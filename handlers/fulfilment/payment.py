"""What the two payment tasks share: the provider, behind the circuit breaker, per invocation."""

from __future__ import annotations

from typing import Callable, TypeVar

from handlers.fulfilment import clients, config
from handlers.fulfilment.circuit import CircuitBreaker
from handlers.fulfilment.provider import PaymentProvider

Result = TypeVar("Result")


def through_circuit(call: Callable[[PaymentProvider], Result]) -> Result:
    """Run one provider call through the circuit; settings are read per invocation (they are
    cheap to read and a configuration error then names itself on every attempt)."""
    settings = config.payment_settings()
    provider = PaymentProvider(settings.provider_url)
    return CircuitBreaker(clients.dynamodb(), settings).call(lambda: call(provider))
