"""Orders REST API: POST /orders, GET /orders/{order_id}, GET /orders (paginated).

API Gateway REST API, Lambda proxy integration (payload format 1.0). Env: TABLE_NAME,
IDEMPOTENCY_TABLE (for POSTs that carry an Idempotency-Key), plus the telemetry variables of
docs/conventions.md. Order events are not published here: the order-outbox consumer publishes
them from the table stream (docs/cafe.md), so a failed publish can neither lose an event nor turn a
stored order into an error response.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, Callable

from opentelemetry import trace

from handlers.orders import idempotent_create, routing, serialization, validation
from handlers.orders.repository import OrderExists, OrdersRepository, create_client
from handlers.telemetry import instrument, logger, metrics, propagation
from handlers.telemetry.idempotency import IdempotencyInProgressError

_dynamodb = create_client()


def repository() -> OrdersRepository:
    return OrdersRepository(_dynamodb, os.environ["TABLE_NAME"])


def utc_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def trace_context() -> dict[str, str]:
    """The current span's context as stored with an order: `traceparent`, and `xray` when known."""
    headers = propagation.current_headers()
    wanted = (("traceparent", propagation.TRACEPARENT), ("xray", propagation.XRAY_HEADER))
    return {name: headers[header] for name, header in wanted if header in headers}


def place_order(order: validation.NewOrder, order_id: str, *, retry_of_key: bool) -> dict[str, Any]:
    """Store the order and answer 201.

    With `retry_of_key`, the id came from an Idempotency-Key, so an existing item with that id is
    this request's own earlier write (whose response was lost) or a different order under a reused
    key; anything else is a random-id collision.
    """
    record = serialization.order_record(order_id, order, utc_now(), trace_context())
    logger.append_keys(order_id=order_id, customer_id=order.customer_id)
    try:
        repository().put_new(record)
    except OrderExists:
        if not retry_of_key:
            logger.error("order id collision")
            return serialization.error_response(409, "conflict", "order id collision, retry the request")
        stored = repository().get(order_id, consistent=True)
        if stored is None:
            raise RuntimeError(f"order {order_id} failed its not-exists condition but cannot be read") from None
        if idempotent_create.record_fingerprint(stored) != idempotent_create.order_fingerprint(order):
            raise idempotent_create.KeyReused(order_id) from None
        logger.info("order already placed under this Idempotency-Key; answering with it")
        record = stored
    else:
        metrics.add_metric("OrdersCreated", 1, unit="Count")
        metrics.add_metric("OrderItems", len(order.items), unit="Count")
        logger.info("order created", items=len(order.items), total=str(order.total))
    return serialization.response(201, serialization.public_order(record), {"Location": f"/orders/{order_id}"})


def create_order(event: dict[str, Any], _: str | None) -> dict[str, Any]:
    payload = validation.parse_json_body(event.get("body"), bool(event.get("isBase64Encoded")))
    order = validation.validate_new_order(payload, os.environ.get("CAFE_CURRENCY"))
    key = validation.idempotency_key(event.get("headers"), event.get("multiValueHeaders"))
    if key is None:
        return place_order(order, str(uuid.uuid4()), retry_of_key=False)
    field = validation.IDEMPOTENCY_HEADER
    try:
        return idempotent_create.respond_once(
            key, order, lambda: place_order(order, idempotent_create.order_id_for(key), retry_of_key=True))
    except idempotent_create.KeyReused:
        logger.info("rejected a reused Idempotency-Key")
        return serialization.error_response(
            422, "idempotency_key_reused", f"{field}: was already used for a different order", field)
    except IdempotencyInProgressError:
        return serialization.error_response(
            409, "conflict", f"{field}: a request with this key is still being processed; retry later", field)


def get_order(event: dict[str, Any], order_id: str | None) -> dict[str, Any]:
    valid_id = validation.validate_order_id(order_id)
    found = repository().get(valid_id)
    if found is None:
        return serialization.error_response(404, "not_found", f"order {valid_id} does not exist")
    return serialization.response(200, serialization.public_order(found))


def list_orders(event: dict[str, Any], _: str | None) -> dict[str, Any]:
    page = validation.validate_page(event.get("queryStringParameters"))
    items, last = repository().page(page.limit, page.start_key)
    body: dict[str, Any] = {"orders": [serialization.public_order(item) for item in items],
                            "next_token": validation.encode_next_token(last) if last else None}
    return serialization.response(200, body)


OPERATIONS: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
    "create_order": create_order,
    "get_order": get_order,
    "list_orders": list_orders,
}


def _dispatch(event: dict[str, Any]) -> dict[str, Any]:
    for field in ("httpMethod", "path"):
        if not isinstance(event.get(field), (str, type(None))):
            raise validation.InvalidInput(field, "must be a string, as in an API Gateway proxy request")
    found = routing.match(event.get("httpMethod") or "", event.get("path") or "")
    if found.template is None:
        return serialization.error_response(404, "not_found", "no such route")
    if found.operation is None:
        return serialization.error_response(405, "method_not_allowed", f"use one of: {found.allowed}", headers={"Allow": found.allowed})
    path_parameters = event.get("pathParameters") or {}
    order_id = path_parameters.get("order_id", found.order_id) if isinstance(path_parameters, dict) else found.order_id
    return OPERATIONS[found.operation](event, order_id)


def route(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return serialization.error_response(400, "bad_request", "event is not an API Gateway proxy request")
    try:
        return _dispatch(event)
    except validation.InvalidInput as error:
        logger.info("rejected invalid input", field=error.field, reason=error.message)
        return serialization.error_response(400, "invalid_input", str(error), error.field)
    except Exception as error:  # a JSON 500 with the request id beats API Gateway's bare 502
        trace.get_current_span().record_exception(error)
        logger.exception("unexpected failure", exc=error)
        return serialization.error_response(500, "internal_error", "unexpected failure, retry later")


@instrument(service="orders")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return route(event)
