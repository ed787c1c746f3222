"""What the two payment tasks share: the provider, behind the circuit breaker, per invocation."""

from __future__ import annotations

from typing import Callable, TypeVar

from handlers.boto_clients import client
from handlers.fulfilment import config
from handlers.fulfilment.circuit import CircuitBreaker
from handlers.fulfilment.errors import PaymentProviderUnavailable
from handlers.fulfilment.provider import PaymentProvider
from handlers.telemetry import MetricUnit, metrics

Result = TypeVar("Result")


def through_circuit(call: Callable[[PaymentProvider], Result]) -> Result:
    """Run one provider call through the circuit; settings are read per invocation (they are
    cheap to read and a configuration error then names itself on every attempt)."""
    settings = config.payment_settings()
    provider = PaymentProvider(settings.provider_url)
    try:
        return CircuitBreaker(client("dynamodb"), settings).call(lambda: call(provider))
    except PaymentProviderUnavailable:
        metrics.add_metric("PaymentProviderFailures", 1, unit=MetricUnit.Count)
        raise
