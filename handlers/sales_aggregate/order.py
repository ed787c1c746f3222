"""Pure: an orders-table stream image checked and reduced to what the sales totals need.

Everything the totals depend on is checked, because a wrong number written into a running
total cannot be taken back: a record that fails here is a poison record and goes, alone, to
the mapping's on-failure destination. The rules are those the orders API applies.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping
from zoneinfo import ZoneInfo

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # SKUs and ids; never "#..." or "-", the reserved keys
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
CENT = Decimal("0.01")
MAX_SKUS = 98  # a transaction holds 100 actions: the marker, the day total and one per SKU


class UnusableOrder(ValueError):
    """The image cannot be counted; the message names the field."""


@dataclass(frozen=True)
class Sale:
    order_id: str
    customer_id: str
    day: str  # YYYY-MM-DD in the café's time zone
    placed_at: datetime.datetime  # in the café's time zone
    currency: str
    total: Decimal
    lines: tuple[tuple[str, int, Decimal], ...]  # (sku, quantity, revenue) per SKU, merged

    @property
    def units(self) -> int:
        return sum(quantity for _, quantity, _ in self.lines)


def _money(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise UnusableOrder(f"{field}: must be a number")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise UnusableOrder(f"{field}: must be a non-negative amount with at most 2 decimals")
    return amount


def _quantity(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or Decimal(value) != Decimal(value).to_integral_value():
        raise UnusableOrder(f"{field}: must be an integer")
    if not 1 <= int(value) <= 1000:
        raise UnusableOrder(f"{field}: must be from 1 to 1000")
    return int(value)


def _text(value: Any, field: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise UnusableOrder(f"{field}: is missing or not an identifier")
    return value


def cafe_day(created_at: Any, zone: ZoneInfo) -> datetime.datetime:
    if not isinstance(created_at, str):
        raise UnusableOrder("created_at: must be an ISO-8601 timestamp")
    try:
        moment = datetime.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    except ValueError as error:
        raise UnusableOrder(f"created_at: {error}") from error
    if moment.tzinfo is None:
        raise UnusableOrder("created_at: must carry a time zone (the orders API writes UTC)")
    return moment.astimezone(zone)


def sale_of(image: Mapping[str, Any], zone: ZoneInfo, currency: str) -> Sale:
    """The sale in a deserialised NEW_IMAGE, or UnusableOrder naming the field."""
    order_id = _text(image.get("order_id"), "order_id", ORDER_ID)
    customer_id = _text(image.get("customer_id"), "customer_id", IDENTIFIER)
    if image.get("currency") != currency:
        raise UnusableOrder(f"currency: {image.get('currency')!r} is not the café's currency {currency}")
    items = image.get("items")
    if not isinstance(items, list) or not items:
        raise UnusableOrder("items: must be a non-empty list")
    merged: dict[str, tuple[int, Decimal]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise UnusableOrder(f"items[{index}]: must be an object")
        sku = _text(item.get("sku"), f"items[{index}].sku", IDENTIFIER)
        quantity = _quantity(item.get("quantity"), f"items[{index}].quantity")
        price = _money(item.get("unit_price"), f"items[{index}].unit_price")
        before_quantity, before_revenue = merged.get(sku, (0, Decimal(0)))
        merged[sku] = (before_quantity + quantity, before_revenue + price * quantity)
    if len(merged) > MAX_SKUS:
        raise UnusableOrder(f"items: {len(merged)} different SKUs; at most {MAX_SKUS} fit in one transaction")
    total = _money(image.get("total"), "total")
    if total != sum((revenue for _, revenue in merged.values()), Decimal(0)):
        raise UnusableOrder("total: does not equal the sum of the items")
    placed_at = cafe_day(image.get("created_at"), zone)
    lines = tuple(sorted((sku, quantity, revenue) for sku, (quantity, revenue) in merged.items()))
    return Sale(order_id, customer_id, placed_at.date().isoformat(), placed_at, currency, total, lines)
