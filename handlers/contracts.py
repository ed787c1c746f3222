"""Request bodies the café's ingest APIs accept, as JSON schemas (draft 4, the dialect API Gateway models use).

API Gateway rejects a body that does not match with a 400 before it reaches a queue or stream, and the
consumers validate against the same schema, so the two can never disagree. Pure data: the Pulumi
program imports it too.
"""
from __future__ import annotations

from typing import Any

_ID = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9][A-Za-z0-9_.:-]*$"}

CLICK_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Click",
    "type": "object",
    "required": ["session_id", "page", "event"],
    "additionalProperties": False,
    "properties": {
        "session_id": _ID,
        "page": {"type": "string", "minLength": 1, "maxLength": 512, "pattern": "^/"},
        "event": {"type": "string", "enum": ["view", "click", "add_to_cart", "checkout"]},
    },
}

PAYMENT_WEBHOOK_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "PaymentEvent",
    "type": "object",
    "required": ["event_id", "payment_id", "order_id", "status"],
    "properties": {
        "event_id": _ID,
        "payment_id": _ID,
        "order_id": _ID,
        "status": {"type": "string", "enum": ["succeeded", "failed", "refunded"]},
    },
}
