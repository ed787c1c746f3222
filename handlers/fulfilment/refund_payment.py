"""Task `refund_payment` (compensation): give back whatever was charged for the order.

Runs after any charge failure other than a decline, because a charge that timed out may
still have been taken; the provider answers 404 when there is nothing to refund. The order
id is the idempotency key, so a retried refund never pays back twice.
"""

from __future__ import annotations

from typing import Any

from handlers.fulfilment.order import parse_order
from handlers.fulfilment.payment import through_circuit
from handlers.telemetry import MetricUnit, instrument, logger, metrics


@instrument(service="fulfilment")
def handler(event: Any, context: Any) -> dict[str, Any]:
    order = parse_order(event)
    logger.append_keys(order_id=order.order_id)
    refund = through_circuit(lambda provider: provider.refund(order))
    if refund.refunded:
        metrics.add_metric("PaymentsRefunded", 1, unit=MetricUnit.Count)
    logger.info("refund done" if refund.refunded else "nothing to refund", refund_id=refund.refund_id)
    return {"refunded": refund.refunded, "refund_id": refund.refund_id}
