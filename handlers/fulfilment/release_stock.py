"""Task `release_stock` (compensation): give back what the order's reservation took, at most once."""

from __future__ import annotations

from typing import Any

from handlers.boto_clients import client
from handlers.fulfilment import config
from handlers.fulfilment.order import parse_order
from handlers.fulfilment.stock import RELEASED, StockLedger
from handlers.telemetry import MetricUnit, instrument, logger, metrics


@instrument(service="fulfilment")
def handler(event: Any, context: Any) -> dict[str, Any]:
    order = parse_order(event)
    logger.append_keys(order_id=order.order_id)
    outcome = StockLedger(client("dynamodb"), config.stock_table()).release(order.order_id)
    if outcome.status == RELEASED:
        metrics.add_metric("StockReleased", 1, unit=MetricUnit.Count)
    logger.info("stock released", status=outcome.status, skus=len(outcome.quantities))
    return outcome.to_json()
