"""The payment event in a webhook body: `{"event_id", "payment_id", "order_id", "status"}`.

Checked only after the signature, so a malformed body here is the provider's, and each
rejection names the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
STATUS = re.compile(r"[a-z][a-z_]{0,31}")


class MalformedEvent(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str
    payment_id: str
    order_id: str
    status: str


def _field(payload: dict[str, Any], name: str, pattern: re.Pattern[str], rule: str) -> str:
    value = payload.get(name)
    if value is None:
        raise MalformedEvent(name, "is required")
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise MalformedEvent(name, rule)
    return value


def parse_event(body: bytes) -> PaymentEvent:
    if len(body) > MAX_BODY_BYTES:
        raise MalformedEvent("body", f"must be at most {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedEvent("body", "is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedEvent("body", "must be a JSON object")
    identifier = "must be 1-128 letters, digits, '_', '.', ':' or '-'"
    return PaymentEvent(
        event_id=_field(payload, "event_id", IDENTIFIER, identifier),
        payment_id=_field(payload, "payment_id", IDENTIFIER, identifier),
        order_id=_field(payload, "order_id", IDENTIFIER, identifier),
        status=_field(payload, "status", STATUS, "must be 1-32 lowercase letters or '_'"),
    )
