"""Pure: the data extractor's answer, checked, as typed values.

The report must never e-mail a wrong figure, so an answer that is not exactly the documented
shape (docs/cafe.md, "Daily report") is refused, naming the field, rather than half rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

INTEGER = re.compile(r"[0-9]{1,18}")
DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")


class InvalidAnswer(ValueError):
    """The extractor answered something other than a day of sales."""


@dataclass(frozen=True)
class Figures:
    quantity: int
    revenue: Decimal
    orders: int


@dataclass(frozen=True)
class Line:
    sku: str
    figures: Figures


@dataclass(frozen=True)
class DaySales:
    day: str
    currency: str | None
    lines: tuple[Line, ...]
    totals: Figures


def _integer(value: Any, field: str) -> int:
    if not isinstance(value, str) or not INTEGER.fullmatch(value):
        raise InvalidAnswer(f"{field}: must be an integer as a string")
    return int(value)


def _decimal(value: Any, field: str) -> Decimal:
    if not isinstance(value, str) or not DECIMAL.fullmatch(value):
        raise InvalidAnswer(f"{field}: must be a decimal as a string")
    try:
        return Decimal(value)
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes it
        raise InvalidAnswer(f"{field}: must be a decimal as a string") from error


def _figures(value: Any, field: str) -> Figures:
    if not isinstance(value, Mapping):
        raise InvalidAnswer(f"{field}: must be an object")
    return Figures(_integer(value.get("quantity"), f"{field}.quantity"), _decimal(value.get("revenue"), f"{field}.revenue"),
                   _integer(value.get("orders"), f"{field}.orders"))


def day_sales(answer: Any, day: str) -> DaySales:
    if not isinstance(answer, Mapping):
        raise InvalidAnswer("answer: must be an object")
    if answer.get("day") != day:
        raise InvalidAnswer(f"day: answered {answer.get('day')!r} for {day}")
    currency = answer.get("currency")
    if currency is not None and not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        raise InvalidAnswer("currency: must be an ISO 4217 code or null")
    lines = answer.get("lines")
    if not isinstance(lines, list):
        raise InvalidAnswer("lines: must be a list")
    parsed = []
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping) or not isinstance(line.get("sku"), str) or not line["sku"]:
            raise InvalidAnswer(f"lines[{index}].sku: must be a non-empty string")
        parsed.append(Line(line["sku"], _figures(line, f"lines[{index}]")))
    return DaySales(day, currency, tuple(parsed), _figures(answer.get("totals"), "totals"))
