"""Data extractor (internal function): `{"day": "YYYY-MM-DD"}` in, that day's sales out.

Env: SALES_TABLE_NAME (the sales-aggregate table), plus the telemetry variables. Answer:
`{"day", "currency", "lines": [{"sku", "quantity", "revenue", "orders"}], "totals": {...}}`
with every number a string. Bad input raises `InvalidRequest` naming the field, which the
caller receives as the function error of that type.
"""

from __future__ import annotations

from typing import Any

from handlers.data_extractor import repository, summary
from handlers.data_extractor.request import InvalidRequest, requested_day
from handlers.environment import required
from handlers.telemetry import instrument, logger, metrics

__all__ = ["InvalidRequest", "handler"]


@instrument(service="data-extractor")
def handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        day = requested_day(event)
    except InvalidRequest as error:
        logger.warning("rejected invalid request", field=error.field, reason=str(error))
        raise
    result = summary.summarise(day, repository.items_of_day(required("SALES_TABLE_NAME"), day))
    metrics.add_metric("SalesLinesExtracted", len(result["lines"]), unit="Count")
    logger.info("day extracted", day=day, lines=len(result["lines"]), orders=result["totals"]["orders"])
    return result
