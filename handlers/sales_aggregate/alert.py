"""The high-value alert: plain text for e-mail, once per order.

Published after the sale is counted; `@idempotent` keyed by order id makes a redelivered
record (or a retry after a failed publish) send it at most once.
"""

from __future__ import annotations

from typing import Any

from handlers.boto_clients import client
from handlers.sales_aggregate.order import Sale
from handlers.telemetry.idempotency import idempotent
from handlers.telemetry.propagation import inject_sns, publish_span

def subject(sale: Sale) -> str:
    return f"High-value order {sale.order_id}"  # ASCII and under 100 characters: the id is an identifier


def text(sale: Sale, zone_name: str, threshold: Any) -> str:
    lines = [
        f"Order {sale.order_id} totals {sale.total} {sale.currency}, at or above the {threshold} {sale.currency} alert threshold.",
        "",
        f"Customer:  {sale.customer_id}",
        f"Placed at: {sale.placed_at:%Y-%m-%d %H:%M} ({zone_name})",
        "",
        "Items:",
    ]
    lines.extend(f"  {quantity} x {sku} = {revenue} {sale.currency}" for sku, quantity, revenue in sale.lines)
    return "\n".join(lines) + "\n"


@idempotent(key=lambda sale, topic_arn, message: f"alert#{sale.order_id}")
def publish_once(sale: Sale, topic_arn: str, message: str) -> str:
    with publish_span(topic_arn.rsplit(":", 1)[-1], "aws_sns"):
        return client("sns").publish(**inject_sns({"TopicArn": topic_arn, "Subject": subject(sale), "Message": message}))["MessageId"]
