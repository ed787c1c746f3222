"""The errors the tasks raise, named as the workflow definition's Retry and Catch refer to them.

Lambda reports an unhandled exception to Step Functions as its class name (`errorType`), so
each class name here is an ASL error name; `definition.py` takes the names from these classes
so the two can never drift apart. Standard library only: the Pulumi program imports it.
"""

from __future__ import annotations


class FulfilmentError(Exception):
    """Base of the errors the workflow routes on by name."""


class OrderInvalid(FulfilmentError):
    """The workflow input is not an order the café can fulfil; retrying cannot fix it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class StockUnavailable(FulfilmentError):
    """Not enough stock for at least one SKU (or the order's reservation was already released)."""


class PaymentDeclined(FulfilmentError):
    """The provider answered and refused the charge: nothing was taken, so it is never retried."""


class PaymentProviderUnavailable(FulfilmentError):
    """No usable answer (network error, timeout, 429 or 5xx): retried with backoff, and counted
    by the circuit breaker. The outcome of the request is unknown, which is why a charge that
    ends this way is followed by a refund."""


class PaymentProviderRejected(FulfilmentError):
    """The provider refused the request itself (4xx other than a decline): a bug or a
    configuration error on our side, which retrying would only repeat."""


class CircuitOpen(FulfilmentError):
    """The payment circuit is open: the provider is not called at all until the open period ends."""


class ConfigurationError(FulfilmentError):
    """An environment variable is missing or invalid; the function's configuration must change."""

