"""Pure: the e-mail, a plain-text table of yesterday's sales per product.

Written for a person reading it in any mail client: one line per product, best sellers by
revenue first, columns aligned (mail clients show plain text in a fixed-width font), money
with two decimals and the currency, and a total that is the day total (distinct orders), not
a sum of the lines. Product names are shown safely: a control character or line break in a
name could otherwise break the table or forge lines in the mail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from handlers.daily_report.summary import DaySales, Figures

CENT = Decimal("0.01")
HEADERS = ("Product", "Items", "Orders", "Revenue")


def subject(day: str) -> str:
    return f"Café sales for {day}"


def money(amount: Decimal, currency: str | None) -> str:
    shown = amount.quantize(CENT) if amount == amount.quantize(CENT) else amount
    return f"{shown:f} {currency}" if currency else f"{shown:f}"


def printable(name: str) -> str:
    """The name with control characters (line breaks included) escaped, so it stays one cell."""
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in name)


def _row(name: str, figures: Figures, currency: str | None) -> tuple[str, str, str, str]:
    return (name, str(figures.quantity), str(figures.orders), money(figures.revenue, currency))


def render(sales: DaySales, zone_name: str) -> str:
    date = datetime.date.fromisoformat(sales.day)
    heading = f"Café sales for {date:%A} {date.day} {date:%B %Y} ({sales.day}, {zone_name})"
    if not sales.lines and sales.totals.orders == 0:
        return f"{heading}\n\nNo orders were placed that day.\n"
    total = sales.totals
    summary = f"{total.orders} {'order' if total.orders == 1 else 'orders'}, {total.quantity} {'item' if total.quantity == 1 else 'items'}, {money(total.revenue, sales.currency)} in total."
    ordered = sorted(sales.lines, key=lambda line: (-line.figures.revenue, line.sku))
    rows = [HEADERS, *(_row(printable(line.sku), line.figures, sales.currency) for line in ordered)]
    total_row = _row("Total", total, sales.currency)
    widths = [max(len(row[column]) for row in [*rows, total_row]) for column in range(4)]

    def format_row(row: tuple[str, ...]) -> str:
        return "  ".join([row[0].ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:]))])

    table = [format_row(row) for row in rows]
    rule = "-" * len(table[0])
    return "\n".join([heading, "", summary, "", *table, rule, format_row(total_row)]) + "\n"
