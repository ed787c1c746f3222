"""Task `reserve_stock`: take the order's quantities from stock, all or nothing, once per order."""

from __future__ import annotations

from typing import Any

from handlers.boto_clients import client
from handlers.fulfilment import config
from handlers.fulfilment.order import parse_order
from handlers.fulfilment.stock import RESERVED, StockLedger
from handlers.telemetry import MetricUnit, instrument, logger, metrics


@instrument(service="fulfilment")
def handler(event: Any, context: Any) -> dict[str, Any]:
    order = parse_order(event)
    logger.append_keys(order_id=order.order_id)
    outcome = StockLedger(client("dynamodb"), config.stock_table()).reserve(order.order_id, order.quantities())
    if outcome.status == RESERVED:
        metrics.add_metric("StockReserved", 1, unit=MetricUnit.Count)
    logger.info("stock reserved", status=outcome.status, skus=len(outcome.quantities))
    return outcome.to_json()
