"""The order as the workflow sees it: checked once by `validate`, re-read by every later task.

The execution input is the OrderPlaced detail, `{"order": {...}}`, where prices arrive as JSON
numbers (the orders table's decimals serialised by the outbox). Amounts leave this module as
exact decimal strings ("12.50"), so neither Step Functions' JSON nor the provider ever sees a
binary float. The rules are the orders API's own (handlers.orders.validation): an order that
API would not have accepted is not one the café fulfils.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from handlers.fulfilment.errors import OrderInvalid
from handlers.orders.validation import CURRENCY, IDENTIFIER, MAX_ITEMS, MAX_QUANTITY, MAX_UNIT_PRICE, ORDER_ID

DECIMAL_TEXT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    currency: str
    total: Decimal
    items: tuple[Line, ...]

    def quantities(self) -> dict[str, int]:
        """Quantity per SKU: an order may list a SKU twice, a stock reservation counts it once."""
        totals: dict[str, int] = {}
        for line in self.items:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
        return totals

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "customer_id": self.customer_id,
            "currency": self.currency,
            "total": money_text(self.total),
            "items": [{"sku": line.sku, "quantity": line.quantity, "unit_price": money_text(line.unit_price)} for line in self.items],
        }


def money_text(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def _text(value: Any, field: str, pattern: re.Pattern[str], rule: str) -> str:
    if not isinstance(value, str):
        raise OrderInvalid(field, "must be a string")
    if not pattern.fullmatch(value):
        raise OrderInvalid(field, rule)
    return value


def amount(value: Any, field: str, maximum: Decimal | None = None) -> Decimal:
    """A non-negative amount with at most two decimals, from a JSON number or a decimal string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise OrderInvalid(field, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise OrderInvalid(field, "must be a finite number")
    if isinstance(value, str) and not DECIMAL_TEXT.fullmatch(value):
        raise OrderInvalid(field, "must be a decimal number such as 12.50")
    try:
        # repr of a float is its shortest round-tripping text: 3.5 stays 3.5, 0.1 stays 0.1
        exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise OrderInvalid(field, "must be a number") from None
    if exact < 0:
        raise OrderInvalid(field, "must not be negative")
    if maximum is not None and exact > maximum:
        raise OrderInvalid(field, f"must be at most {maximum}")
    if exact != exact.quantize(CENT):
        raise OrderInvalid(field, "must have at most 2 decimal places")
    return exact


def _quantity(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OrderInvalid(field, "must be an integer")
    if not 1 <= value <= MAX_QUANTITY:
        raise OrderInvalid(field, f"must be from 1 to {MAX_QUANTITY}")
    return value


def _line(value: Any, index: int) -> Line:
    field = f"order.items[{index}]"
    if not isinstance(value, Mapping):
        raise OrderInvalid(field, "must be an object")
    for name in ("sku", "quantity", "unit_price"):
        if name not in value:
            raise OrderInvalid(f"{field}.{name}", "is required")
    return Line(
        sku=_text(value["sku"], f"{field}.sku", IDENTIFIER, "must be 1-64 letters, digits, '_', '.' or '-'"),
        quantity=_quantity(value["quantity"], f"{field}.quantity"),
        unit_price=amount(value["unit_price"], f"{field}.unit_price", MAX_UNIT_PRICE),
    )


def parse_order(state: Any) -> Order:
    """The order in a workflow state (`{"order": {...}, ...}`), or OrderInvalid naming the field."""
    if not isinstance(state, Mapping):
        raise OrderInvalid("input", "must be a JSON object")
    order = state.get("order")
    if not isinstance(order, Mapping):
        raise OrderInvalid("order", "is required and must be an object")
    for name in ("order_id", "customer_id", "items", "total"):
        if name not in order:
            raise OrderInvalid(f"order.{name}", "is required")
    order_id = _text(order["order_id"], "order.order_id", ORDER_ID, "must be a lowercase UUID (version 4)")
    customer_id = _text(order["customer_id"], "order.customer_id", IDENTIFIER, "must be 1-64 letters, digits, '_', '.' or '-'")
    currency = _text(order.get("currency", "EUR"), "order.currency", CURRENCY, "must be a 3-letter ISO 4217 code such as EUR")
    items = order["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise OrderInvalid("order.items", f"must be a list of 1 to {MAX_ITEMS} items")
    lines = tuple(_line(item, index) for index, item in enumerate(items))
    total = amount(order["total"], "order.total")
    expected = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    if total != expected:
        raise OrderInvalid("order.total", f"is {money_text(total)} but the items add up to {money_text(expected)}")
    return Order(order_id, customer_id, currency, total, lines)
