"""Hypothesis strategies for orders as the fulfilment workflow receives them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from handlers.orders.validation import MAX_ITEMS, MAX_QUANTITY

skus = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,20}\Z")
prices = st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)


def as_wire(amount: Decimal, form: str) -> Any:
    """How a price may travel: a JSON number (what the outbox sends) or a decimal string (what `validate` returns)."""
    if form == "string":
        return str(amount.quantize(Decimal("0.01")))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


@st.composite
def orders(draw: st.DrawFn, max_items: int = MAX_ITEMS) -> dict[str, Any]:
    form = draw(st.sampled_from(["number", "string"]))
    lines = draw(st.lists(st.tuples(skus, st.integers(1, MAX_QUANTITY), prices), min_size=1, max_size=max_items))
    total = sum((price * quantity for _, quantity, price in lines), Decimal(0))
    return {
        "order_id": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        "customer_id": draw(skus),
        "currency": draw(st.sampled_from(["EUR", "USD", "GBP"])),
        "total": as_wire(total, form),
        "items": [{"sku": sku, "quantity": quantity, "unit_price": as_wire(price, form)} for sku, quantity, price in lines],
        "status": "CREATED",
        "created_at": "2026-11-22T05:15:29.854Z",
    }
