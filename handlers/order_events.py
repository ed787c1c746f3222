"""Pure: the messages of the order-events topic as its subscribers receive them (docs/cafe.md).

Subscribers read from an SQS queue. With raw delivery (the platform's default) the body is the
published message; without it, the body is SNS's JSON envelope around it; both are accepted.
Anything that is not one of the documented events is refused with `NotAnOrderEvent`, naming
the field, so the message fails and ends in the queue's DLQ instead of being half applied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
AMOUNT = re.compile(r"[0-9]{1,12}(\.[0-9]{1,2})?")
CURRENCY = re.compile(r"[A-Z]{3}")


class NotAnOrderEvent(ValueError):
    """The message is not a well-formed OrderPlaced or OrderPaid event."""


@dataclass(frozen=True)
class OrderPlaced:
    order_id: str
    items: tuple[tuple[str, int], ...]  # (sku, quantity)


@dataclass(frozen=True)
class OrderPaid:
    order_id: str
    payment_id: str
    customer_id: str
    total: Decimal
    currency: str


def message(body: str) -> Mapping[str, Any]:
    try:
        document = json.loads(body)
    except ValueError as error:
        raise NotAnOrderEvent(f"body: not JSON ({error})") from error
    if isinstance(document, Mapping) and document.get("Type") == "Notification" and isinstance(document.get("Message"), str):
        return message(document["Message"])  # an SNS envelope (raw delivery off)
    if not isinstance(document, Mapping):
        raise NotAnOrderEvent("body: must be a JSON object")
    return document


def _identifier(value: Any, field: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER.fullmatch(value):
        raise NotAnOrderEvent(f"{field}: is missing or not an identifier")
    return value


def _amount(value: Any, field: str) -> Decimal:
    """An exact amount: a decimal string such as "12.50", or a JSON number with at most 2 decimals."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise NotAnOrderEvent(f"{field}: must be an amount such as \"12.50\"")
    text = repr(value) if isinstance(value, float) else str(value)
    if not AMOUNT.fullmatch(text):
        raise NotAnOrderEvent(f"{field}: must be a non-negative amount with at most 2 decimals")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes it
        raise NotAnOrderEvent(f"{field}: must be an amount") from error


def order_placed(document: Mapping[str, Any]) -> OrderPlaced:
    order = document.get("order")
    if not isinstance(order, Mapping):
        raise NotAnOrderEvent("order: must be an object")
    items = order.get("items")
    if not isinstance(items, list) or not items:
        raise NotAnOrderEvent("order.items: must be a non-empty list")
    lines = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise NotAnOrderEvent(f"order.items[{index}]: must be an object")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise NotAnOrderEvent(f"order.items[{index}].quantity: must be a positive integer")
        lines.append((_identifier(item.get("sku"), f"order.items[{index}].sku"), quantity))
    return OrderPlaced(_identifier(order.get("order_id"), "order.order_id"), tuple(lines))


def order_paid(document: Mapping[str, Any]) -> OrderPaid:
    currency = document.get("currency")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise NotAnOrderEvent("currency: must be an ISO 4217 code")
    return OrderPaid(_identifier(document.get("order_id"), "order_id"), _identifier(document.get("payment_id"), "payment_id"),
                     _identifier(document.get("customer_id"), "customer_id"), _amount(document.get("total"), "total"), currency)


def parse(body: str) -> OrderPlaced | OrderPaid:
    document = message(body)
    kind = document.get("event_type")
    if kind == "OrderPlaced":
        return order_placed(document)
    if kind == "OrderPaid":
        return order_paid(document)
    raise NotAnOrderEvent(f"event_type: {kind!r} is not OrderPlaced or OrderPaid")
