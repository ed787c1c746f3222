"""A fake of the third-party payment provider (docs/cafe.md, "Payment provider") on 127.0.0.1.

It behaves like a real provider where the workflow depends on it: a repeated Idempotency-Key
gets the first answer again, refunds find the charge by order id (404 when there is none),
and every request is recorded. `mode` says how it answers new charges: "ok", "decline",
"down" (503), "bad_request" (400), or "slow" (takes the charge, then answers after `delay`
seconds, when a client with a shorter timeout has given up). The refund endpoint follows
`refund_mode` ("ok" or "down"). `outage = n` answers the next n requests, of either kind, 503.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.handlers.local_http import LoopbackJSONServer


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakePaymentProvider(LoopbackJSONServer):
    methods = ("POST",)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every request, charge and answer, and answer normally again."""
        self.mode = "ok"
        self.refund_mode = "ok"
        self.delay = 0.0
        self.outage = 0
        self.requests: list[Request] = []
        self.charges: dict[str, str] = {}  # order id -> payment id
        self.refunds: dict[str, str] = {}  # order id -> refund id
        self._answers: dict[tuple[str, str], tuple[int, Any]] = {}

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        payload = json.loads(body or b"{}")
        with self._lock:
            self.requests.append(Request(path, headers, payload))
            key = (path, headers.get("idempotency-key", ""))
            if key in self._answers:
                return self._answers[key]
        with self._lock:
            if self.outage > 0:
                self.outage -= 1
                return 503, {"error": "unavailable", "message": "outage"}
            answer = self._answer(path, payload)
            if answer[0] < 500:  # like real providers, a failed request does not consume its key
                self._answers[key] = answer
        if self.mode == "slow" and path == "/charges":
            time.sleep(self.delay)
        return answer

    def _answer(self, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        order_id = str(payload.get("order_id"))
        if path == "/charges":
            if self.mode == "down":
                return 503, {"error": "unavailable", "message": "try again later"}
            if self.mode == "decline":
                return 402, {"error": "card_declined", "message": "insufficient funds"}
            if self.mode == "bad_request":
                return 400, {"error": "invalid_request", "message": "amount: must be positive"}
            payment_id = self.charges.setdefault(order_id, f"pay_{len(self.charges) + 1}")
            return 201, {"payment_id": payment_id, "status": "succeeded"}
        if path == "/refunds":
            if self.refund_mode == "down":
                return 503, {"error": "unavailable"}
            if order_id not in self.charges:
                return 404, {"error": "no_charge", "message": "no charge for this order"}
            refund_id = self.refunds.setdefault(order_id, f"re_{len(self.refunds) + 1}")
            return 201, {"refund_id": refund_id, "status": "succeeded"}
        return 404, {"error": "not_found"}
