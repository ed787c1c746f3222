"""Task `validate`: is this an order the café can fulfil? Its answer is the state every later task reads.

Returns `{"order": <normalised order>, "_trace_context": {...}}`, which the definition makes the
whole workflow state. The trace context is the producer's when the input carried a valid one,
else this task's own, so that the OrderPaid message can always carry a `traceparent`.
"""

from __future__ import annotations

from typing import Any, Mapping

from handlers.fulfilment.order import parse_order
from handlers.telemetry import instrument, logger
from handlers.telemetry.propagation import TRACE_CONTEXT_KEY, TRACEPARENT, TRACESTATE, XRAY_HEADER, current_headers, extract_record

CARRIED_KEYS = (TRACEPARENT, TRACESTATE, XRAY_HEADER)


def onward_trace_context(state: Any) -> dict[str, str]:
    """The input's `_trace_context` when its traceparent is valid, else this task's own."""
    carried = state.get(TRACE_CONTEXT_KEY) if isinstance(state, Mapping) else None
    if isinstance(carried, Mapping) and isinstance(carried.get(TRACEPARENT), str):
        if extract_record({TRACE_CONTEXT_KEY: {TRACEPARENT: carried[TRACEPARENT]}}) is not None:
            return {key: value for key, value in carried.items() if key in CARRIED_KEYS and isinstance(value, str)}
    return current_headers()


@instrument(service="fulfilment")
def handler(event: Any, context: Any) -> dict[str, Any]:
    order = parse_order(event)
    logger.append_keys(order_id=order.order_id)
    logger.info("order valid", items=len(order.items), total=str(order.total), currency=order.currency)
    return {"order": order.to_json(), TRACE_CONTEXT_KEY: onward_trace_context(event)}
