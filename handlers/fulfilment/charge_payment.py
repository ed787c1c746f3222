"""Task `charge_payment`: charge the order's total, idempotently (the order id is the key).

Raises PaymentDeclined (never retried), PaymentProviderUnavailable (retried with backoff by
the workflow), CircuitOpen (fails fast) or PaymentProviderRejected.
"""

from __future__ import annotations

from typing import Any

from handlers.fulfilment.errors import PaymentDeclined
from handlers.fulfilment.order import parse_order
from handlers.fulfilment.payment import through_circuit
from handlers.telemetry import MetricUnit, instrument, logger, metrics


@instrument(service="fulfilment")
def handler(event: Any, context: Any) -> dict[str, Any]:
    order = parse_order(event)
    logger.append_keys(order_id=order.order_id)
    try:
        charge = through_circuit(lambda provider: provider.charge(order))
    except PaymentDeclined:
        metrics.add_metric("PaymentsDeclined", 1, unit=MetricUnit.Count)
        raise
    metrics.add_metric("PaymentsCharged", 1, unit=MetricUnit.Count)
    logger.info("payment charged", payment_id=charge.payment_id, total=str(order.total), currency=order.currency)
    return {"payment_id": charge.payment_id, "status": charge.status}
