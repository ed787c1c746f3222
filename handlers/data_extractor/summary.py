"""Pure: the day's aggregate items as the extractor's answer, decimals as strings.

Items are those of the sales-aggregate table for one day: one per SKU, plus the day-total item
(`sku = "#all"`), which alone knows how many distinct orders there were (an order with two
SKUs counts once in the day but once in each SKU's line). Decimals are written as plain
strings (never exponent notation) so no JSON reader turns money into floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

DAY_TOTAL_SKU = "#all"
ZERO = Decimal(0)


def decimal_text(value: Any) -> str:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(number, "f")


def integer_text(value: Any) -> str:
    return str(int(value))


def summarise(day: str, items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    lines: list[dict[str, str]] = []
    total: Mapping[str, Any] = {}
    currency = None
    for item in items:
        currency = currency or item.get("currency")
        if item.get("sku") == DAY_TOTAL_SKU:
            total = item
        elif not str(item.get("sku", "#")).startswith("#"):
            lines.append({
                "sku": str(item["sku"]),
                "quantity": integer_text(item.get("quantity", 0)),
                "revenue": decimal_text(item.get("revenue", ZERO)),
                "orders": integer_text(item.get("orders", 0)),
            })
    lines.sort(key=lambda line: line["sku"])
    return {
        "day": day,
        "currency": total.get("currency") or currency,  # None for a day without sales
        "lines": lines,
        "totals": {
            "quantity": integer_text(total.get("quantity", 0)),
            "revenue": decimal_text(total.get("revenue", ZERO)),
            "orders": integer_text(total.get("orders", 0)),
        },
    }
