"""Orders REST API: POST /orders, GET /orders/{order_id}, GET /orders (paginated).

API Gateway REST API, Lambda proxy integration (payload format 1.0). Env: TABLE_NAME,
optional ORDER_EVENTS_TOPIC_ARN, plus the telemetry variables of docs/conventions.md.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, Callable

from opentelemetry import trace

from handlers.orders import events, routing, serialization, validation
from handlers.orders.repository import OrderExists, OrdersRepository, create_client
from handlers.telemetry import instrument, logger, metrics

_dynamodb = create_client()
_clients: dict[str, Any] = {}


def repository() -> OrdersRepository:
    return OrdersRepository(_dynamodb, os.environ["TABLE_NAME"])


def sns_client() -> Any:
    if "sns" not in _clients:
        import boto3

        _clients["sns"] = boto3.client("sns", region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
    return _clients["sns"]


def utc_now() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def create_order(event: dict[str, Any], _: str | None) -> dict[str, Any]:
    payload = validation.parse_json_body(event.get("body"), bool(event.get("isBase64Encoded")))
    order = validation.validate_new_order(payload)
    order_id = str(uuid.uuid4())
    record = serialization.order_record(order_id, order, utc_now())
    logger.append_keys(order_id=order_id, customer_id=order.customer_id)
    try:
        repository().put_new(record)
    except OrderExists:
        logger.error("order id collision")
        return serialization.error_response(409, "conflict", "order id collision, retry the request")
    metrics.add_metric("OrdersCreated", 1, unit="Count")
    metrics.add_metric("OrderItems", len(order.items), unit="Count")
    message_id = events.publish_order_created(sns_client(), record) if events.topic_arn() else None
    logger.info("order created", items=len(order.items), total=str(order.total), event_message_id=message_id)
    return serialization.response(201, record, {"Location": f"/orders/{order_id}"})


def get_order(event: dict[str, Any], order_id: str | None) -> dict[str, Any]:
    valid_id = validation.validate_order_id(order_id)
    found = repository().get(valid_id)
    if found is None:
        return serialization.error_response(404, "not_found", f"order {valid_id} does not exist")
    return serialization.response(200, found)


def list_orders(event: dict[str, Any], _: str | None) -> dict[str, Any]:
    page = validation.validate_page(event.get("queryStringParameters"))
    items, last = repository().page(page.limit, page.start_key)
    body: dict[str, Any] = {"orders": items, "next_token": validation.encode_next_token(last) if last else None}
    return serialization.response(200, body)


OPERATIONS: dict[str, Callable[[dict[str, Any], str | None], dict[str, Any]]] = {
    "create_order": create_order,
    "get_order": get_order,
    "list_orders": list_orders,
}


def route(event: Any) -> dict[str, Any]:
    if not isinstance(event, dict):
        return serialization.error_response(400, "bad_request", "event is not an API Gateway proxy request")
    found = routing.match(event.get("httpMethod") or "", event.get("path") or "")
    if found.template is None:
        return serialization.error_response(404, "not_found", "no such route")
    if found.operation is None:
        return serialization.error_response(405, "method_not_allowed", f"use one of: {found.allowed}", headers={"Allow": found.allowed})
    path_parameters = event.get("pathParameters") or {}
    order_id = path_parameters.get("order_id", found.order_id) if isinstance(path_parameters, dict) else found.order_id
    try:
        return OPERATIONS[found.operation](event, order_id)
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
