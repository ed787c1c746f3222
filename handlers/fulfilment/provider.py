"""The payment provider's HTTP API (docs/cafe.md, "Payment provider"), over HTTPS.

Every request carries `Idempotency-Key: <order_id>`, so a retry after a timeout, a retried
task or a second execution for the same order can never charge or refund twice: the provider
answers a repeated key with the first answer. Responses are sorted into the workflow's error
names by `outcome_of`, a pure function of the status; the rest is one urllib call in a CLIENT
span, with the timeout capped by what is left of the Lambda invocation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Mapping
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from handlers.fulfilment.errors import PaymentDeclined, PaymentProviderRejected, PaymentProviderUnavailable
from handlers.fulfilment.order import Order, money_text
from handlers.telemetry.invocation_state import current
from handlers.telemetry.propagation import TRACEPARENT, current_headers

MAX_TIMEOUT_SECONDS = 5.0
MIN_TIMEOUT_SECONDS = 0.5
TIME_KEPT_FOR_THE_HANDLER_MS = 1000  # to record the outcome in the circuit and answer Step Functions
MAX_RESPONSE_BYTES = 64 * 1024
RETRYABLE_STATUSES = frozenset((408, 409, 425, 429))  # 409: the same key is still being processed

OK = "ok"
DECLINED = "declined"
NOT_FOUND = "not_found"
UNAVAILABLE = "unavailable"
REJECTED = "rejected"


@dataclass(frozen=True)
class Charge:
    payment_id: str
    status: str


@dataclass(frozen=True)
class Refund:
    refunded: bool
    refund_id: str | None


def outcome_of(status: int) -> str:
    if 200 <= status < 300:
        return OK
    if status == 402:
        return DECLINED
    if status == 404:
        return NOT_FOUND
    if status in RETRYABLE_STATUSES or status >= 500:
        return UNAVAILABLE
    return REJECTED


def timeout_seconds(remaining_ms: float | None) -> float:
    if remaining_ms is None:
        return MAX_TIMEOUT_SECONDS
    return max(MIN_TIMEOUT_SECONDS, min(MAX_TIMEOUT_SECONDS, (remaining_ms - TIME_KEPT_FOR_THE_HANDLER_MS) / 1000))


def _message(body: Mapping[str, Any]) -> str:
    text = body.get("message") or body.get("error") or ""
    return str(text)[:200]


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead a card payment off HTTPS or to another host: it is an answer, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class PaymentProvider:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._opener = urllib.request.build_opener(NoRedirects)

    def post(self, path: str, idempotency_key: str, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Status and JSON body; PaymentProviderUnavailable when no usable answer came back."""
        url = self.base_url + path
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": idempotency_key}
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
        attributes = {"http.request.method": "POST", "url.full": url, "server.address": urlsplit(url).hostname or ""}
        with trace.get_tracer("handlers.fulfilment").start_as_current_span(f"POST {path}", kind=SpanKind.CLIENT, attributes=attributes) as span:
            trace_parent = current_headers().get(TRACEPARENT)
            if trace_parent:
                request.add_header(TRACEPARENT, trace_parent)
            status, raw = self._send(request)
            span.set_attribute("http.response.status_code", status)
            if status >= 400:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        if not isinstance(body, dict):
            if outcome_of(status) == OK:
                raise PaymentProviderUnavailable(f"{path}: HTTP {status} with a body that is not a JSON object")
            body = {}
        return status, body

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        timeout = timeout_seconds(current.remaining_time_ms())
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return response.status, response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read(MAX_RESPONSE_BYTES)
        except (OSError, HTTPException) as error:  # URLError, timeouts and resets are OSErrors
            reason = getattr(error, "reason", error)
            raise PaymentProviderUnavailable(f"{request.full_url}: {type(reason).__name__}: {reason}") from None

    def charge(self, order: Order) -> Charge:
        payload = {"order_id": order.order_id, "customer_id": order.customer_id, "amount": money_text(order.total), "currency": order.currency}
        status, body = self.post("/charges", order.order_id, payload)
        outcome = outcome_of(status)
        if outcome == OK:
            payment_id = body.get("payment_id")
            if not isinstance(payment_id, str) or not payment_id:
                raise PaymentProviderUnavailable(f"/charges: HTTP {status} without a payment_id")
            return Charge(payment_id, str(body.get("status") or "succeeded"))
        if outcome == DECLINED:
            raise PaymentDeclined(_message(body) or "declined")
        raise self._failure("/charges", status, outcome, body)

    def refund(self, order: Order) -> Refund:
        payload = {"order_id": order.order_id, "amount": money_text(order.total), "currency": order.currency}
        status, body = self.post("/refunds", order.order_id, payload)
        outcome = outcome_of(status)
        if outcome == OK:
            refund_id = body.get("refund_id")
            return Refund(True, refund_id if isinstance(refund_id, str) else None)
        if outcome == NOT_FOUND:
            return Refund(False, None)  # no charge was ever taken for this order: nothing to give back
        raise self._failure("/refunds", status, outcome, body)

    @staticmethod
    def _failure(path: str, status: int, outcome: str, body: Mapping[str, Any]) -> Exception:
        detail = f"{path}: HTTP {status} {_message(body)}".rstrip()
        if outcome == UNAVAILABLE:
            return PaymentProviderUnavailable(detail)
        return PaymentProviderRejected(detail)
