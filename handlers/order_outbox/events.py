"""Pure: the OrderPlaced event built from an orders-table stream image (docs/cafe.md, Messages).

The order in the event is the order as the orders API shows it: every stored attribute except
`trace_context`, which travels as the message's trace context instead. Decimals become JSON
numbers: integers as integers, others through their shortest float text, which is exact for
the amounts the orders API accepts (at most two decimals, at most 12 digits before the point).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Mapping

EVENT_TYPE = "OrderPlaced"
SOURCE = "cafe.orders"
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")  # also what an SNS FIFO message group id allows
CURRENCY = re.compile(r"[A-Z]{3}")
INTERNAL_FIELDS = frozenset(("trace_context",))


class NotAnOrder(ValueError):
    """The stream image cannot be published as an order (a poison record)."""


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_json_value(item) for item in value)
    if isinstance(value, (bytes, bytearray)):
        raise NotAnOrder("binary attributes cannot be published as JSON")
    return value


def _check_shape(image: Mapping[str, Any]) -> None:
    """The fields every subscriber relies on: an event the kitchen or the workflow cannot read
    would only move the failure downstream, so it is refused here, naming the field."""
    order_id = image.get("order_id")
    if not isinstance(order_id, str) or not ORDER_ID.fullmatch(order_id):
        raise NotAnOrder(f"order_id: {order_id!r} is missing or not an identifier")
    if not isinstance(image.get("customer_id"), str) or not image["customer_id"]:
        raise NotAnOrder("customer_id: is missing")
    if not isinstance(image.get("currency"), str) or not CURRENCY.fullmatch(image["currency"]):
        raise NotAnOrder("currency: must be an ISO 4217 code")
    if not isinstance(image.get("total"), Decimal):
        raise NotAnOrder("total: must be a number")
    items = image.get("items")
    if not isinstance(items, list) or not items:
        raise NotAnOrder("items: must be a non-empty list")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("sku"), str) or not item["sku"]:
            raise NotAnOrder(f"items[{index}].sku: is missing")
        quantity, price = item.get("quantity"), item.get("unit_price")
        if not isinstance(quantity, Decimal) or quantity < 1 or quantity != quantity.to_integral_value():
            raise NotAnOrder(f"items[{index}].quantity: must be a positive integer")
        if not isinstance(price, Decimal) or price < 0:
            raise NotAnOrder(f"items[{index}].unit_price: must be a non-negative number")


def public_order(image: Mapping[str, Any]) -> dict[str, Any]:
    """The order for the event, from a deserialised NEW_IMAGE; NotAnOrder naming the field if
    it lacks what subscribers read."""
    _check_shape(image)
    return {key: _json_value(value) for key, value in image.items() if key not in INTERNAL_FIELDS}


def body(order: Mapping[str, Any]) -> str:
    return json.dumps({"event_type": EVENT_TYPE, "order": order}, separators=(",", ":"))


def topic_message(topic_arn: str, order: Mapping[str, Any]) -> dict[str, Any]:
    """Publish kwargs for the FIFO topic: one message group per order, deduplicated per order."""
    return {
        "TopicArn": topic_arn,
        "Message": body(order),
        "MessageGroupId": order["order_id"],
        "MessageDeduplicationId": f"{EVENT_TYPE}-{order['order_id']}",
        "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": EVENT_TYPE}},
    }


def bus_entry(bus_name: str, order: Mapping[str, Any]) -> dict[str, Any]:
    """A PutEvents entry for the order-routing bus."""
    return {
        "EventBusName": bus_name,
        "Source": SOURCE,
        "DetailType": EVENT_TYPE,
        "Detail": json.dumps({"order": order}, separators=(",", ":")),
    }
