"""Request bodies the café's ingest APIs accept, as JSON schemas (draft 4, the dialect API Gateway models use).

API Gateway rejects a body that does not match with a 400 before it reaches a queue or stream, and the
consumers parse with the same rules (`handlers/clickstream/click.py`, `handlers/payment_webhook/event.py`);
tests/handlers/test_contracts.py checks the two agree over generated bodies. Extra fields are allowed,
as the parsers ignore them (a producer may add trace context). Pure data: the Pulumi program imports it.
"""
from __future__ import annotations

from typing import Any

#: Patterns end with `(?![\s\S])` rather than `$`, which in both Java (API Gateway) and Python also
#: matches before a final newline: `"c-1\n"` must fail here as it fails the parsers' full matches.
END = "(?![\\s\\S])"
_IDENTIFIER = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}" + END}

CLICK_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "Click",
    "type": "object",
    "required": ["session_id", "page", "event"],
    "properties": {
        "session_id": _IDENTIFIER,
        "page": {"type": "string", "pattern": "^/[\\x21-\\x7e]{0,511}" + END},
        "event": {"type": "string", "pattern": "^[a-z][a-z_]{0,63}" + END},
    },
}

PAYMENT_WEBHOOK_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "title": "PaymentEvent",
    "type": "object",
    "required": ["event_id", "payment_id", "order_id", "status"],
    "properties": {
        "event_id": _IDENTIFIER,
        "payment_id": _IDENTIFIER,
        "order_id": _IDENTIFIER,
        "status": {"type": "string", "pattern": "^[a-z][a-z_]{0,31}" + END},
    },
}
