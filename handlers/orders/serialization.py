"""Pure conversions between orders, DynamoDB items and API JSON."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from handlers.orders.validation import NewOrder


PLACED = "placed"
#: Stored for the table stream's consumers (docs/cafe.md), not part of the API's view of an order.
INTERNAL_FIELDS = frozenset({"trace_context"})


def order_record(order_id: str, order: NewOrder, created_at: str, trace_context: dict[str, str]) -> dict[str, Any]:
    """The stored order; `total` is computed once here so readers never disagree about it.

    `trace_context` (W3C `traceparent`, and `xray` when known) lets the stream consumers that
    publish and aggregate orders link their spans to the request that placed the order.
    """
    record: dict[str, Any] = {
        "order_id": order_id,
        "customer_id": order.customer_id,
        "items": [{"sku": item.sku, "quantity": item.quantity, "unit_price": item.unit_price} for item in order.items],
        "currency": order.currency,
        "total": order.total,
        "status": PLACED,
        "created_at": created_at,
    }
    if order.note is not None:
        record["note"] = order.note
    if trace_context:
        record["trace_context"] = dict(trace_context)
    return record


def public_order(record: dict[str, Any]) -> dict[str, Any]:
    """The order as the API shows it."""
    return {key: value for key, value in record.items() if key not in INTERNAL_FIELDS}


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(payload: Any) -> str:
    return json.dumps(payload, default=_json_number, separators=(",", ":"))


def response(status: int, payload: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway proxy (payload v1) response with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": to_json(payload),
        "isBase64Encoded": False,
    }


def error_response(status: int, error: str, message: str, field: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"error": error, "message": message}
    if field is not None:
        payload["field"] = field
    return response(status, payload, headers)
