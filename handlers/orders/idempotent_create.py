"""POST /orders at most once per `Idempotency-Key`.

Two mechanisms, each covering a failure the other cannot:
- The key's first response is kept in the shared idempotency store
  (`handlers.telemetry.idempotency`, env IDEMPOTENCY_TABLE), so a retry gets exactly that response
  back (status, body, Location) without placing the order again.
- The order id is derived from the key, so the DynamoDB write is idempotent by itself. When a step
  after the write fails, the store forgets the key so that the retry can run; the retry's
  conditional write then finds the order already stored and answers with it instead of storing a
  second one. The same holds after the store's record has expired.

A retry must repeat the request: the same key with a different order is refused (422) in both
cases, by comparing a fingerprint of the validated order, so formatting alone (whitespace, key
order, 2.5 against 2.50) does not count as a difference.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any, Callable, Iterable

from handlers.orders.validation import NewOrder
from handlers.telemetry.idempotency import idempotent

_ORDER_ID_NAMESPACE = "orders/idempotency-key/"


class KeyReused(Exception):
    """The Idempotency-Key already belongs to a different order."""


def order_id_for(key: str) -> str:
    """A version-4-shaped UUID derived from the key, so a retried write targets the same item."""
    digest = hashlib.sha256(f"{_ORDER_ID_NAMESPACE}{key}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _fingerprint(customer_id: str, items: Iterable[tuple[str, Any, Any]], currency: str, note: str | None) -> str:
    canonical = {
        "customer_id": customer_id,
        "items": [[sku, int(quantity), str(Decimal(unit_price).normalize())] for sku, quantity, unit_price in items],
        "currency": currency,
        "note": note,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def order_fingerprint(order: NewOrder) -> str:
    return _fingerprint(order.customer_id, ((i.sku, i.quantity, i.unit_price) for i in order.items), order.currency, order.note)


def record_fingerprint(record: dict[str, Any]) -> str:
    """The fingerprint of a stored order, comparable with `order_fingerprint` of a request."""
    items = ((item["sku"], item["quantity"], item["unit_price"]) for item in record.get("items", []))
    return _fingerprint(record.get("customer_id", ""), items, record.get("currency", ""), record.get("note"))


@idempotent(key=lambda key, request, respond: key)
def _first_response(key: str, request: str, respond: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    return {"request": request, "response": respond()}


def respond_once(key: str, order: NewOrder, respond: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`respond()`'s API response, or the response stored for the key by an earlier request.

    Raises KeyReused when the key was used for another order, and
    `IdempotencyInProgressError` while the first request with the key is still running.
    """
    request = order_fingerprint(order)
    outcome = _first_response(key, request, respond)
    if outcome.get("request") != request:
        raise KeyReused(key)
    response: dict[str, Any] = outcome["response"]
    return response
