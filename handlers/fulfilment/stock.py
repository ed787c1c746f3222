"""Stock reservations in the fulfilment stock table, idempotent per order.

Stock items are `{sku, available}`. A reservation is one DynamoDB transaction: a conditional
decrement per SKU plus a marker item `sku = "reservation#<order_id>"` that records what was
taken. The marker is what makes both directions idempotent: a retried or duplicated
reservation finds it and takes nothing more, and a release gives back exactly what the marker
says, once, by flipping its status in the same transaction as the increments. SKUs cannot
contain '#', so a marker never collides with a real SKU.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping

from handlers.fulfilment.errors import StockUnavailable

MARKER_PREFIX = "reservation#"
RESERVED = "reserved"
RELEASED = "released"
MARKER_TTL_SECONDS = 90 * 24 * 3600  # far beyond any execution, so a late release still finds it


def marker_key(order_id: str) -> dict[str, Any]:
    return {"sku": {"S": MARKER_PREFIX + order_id}}


@dataclass(frozen=True)
class Outcome:
    status: str  # reserve: "reserved" / "already_reserved"; release: "released" / "already_released" / "nothing_reserved"
    quantities: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "quantities": dict(self.quantities)}


def reservation_items(table: str, order_id: str, quantities: Mapping[str, int], now: float) -> list[dict[str, Any]]:
    """The transaction: the marker first (its index tells a duplicate apart), then one decrement per SKU."""
    marker = {
        **marker_key(order_id),
        "order_id": {"S": order_id},
        "status": {"S": RESERVED},
        "quantities": {"M": {sku: {"N": str(quantity)} for sku, quantity in quantities.items()}},
        "reserved_at": {"N": str(int(now))},
        "expires_at": {"N": str(int(now) + MARKER_TTL_SECONDS)},
    }
    put = {"Put": {"TableName": table, "Item": marker, "ConditionExpression": "attribute_not_exists(sku)"}}
    return [put, *stock_updates(table, quantities, "SET available = available - :quantity", "available >= :quantity")]


def stock_updates(table: str, quantities: Mapping[str, int], expression: str, condition: str | None = None) -> list[dict[str, Any]]:
    """One Update per SKU, in SKU order (the order cancellation reasons are read back in)."""
    updates = []
    for sku, quantity in sorted(quantities.items()):
        update: dict[str, Any] = {
            "TableName": table,
            "Key": {"sku": {"S": sku}},
            "UpdateExpression": expression,
            "ExpressionAttributeValues": {":quantity": {"N": str(quantity)}},
        }
        if condition is not None:
            update["ConditionExpression"] = condition
        updates.append({"Update": update})
    return updates


def release_items(table: str, order_id: str, quantities: Mapping[str, int], now: float) -> list[dict[str, Any]]:
    flip = {
        "Update": {
            "TableName": table,
            "Key": marker_key(order_id),
            "UpdateExpression": "SET #status = :released, released_at = :now",
            "ConditionExpression": "#status = :reserved",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":released": {"S": RELEASED}, ":reserved": {"S": RESERVED}, ":now": {"N": str(int(now))}},
        }
    }
    return [flip, *stock_updates(table, quantities, "ADD available :quantity")]


def cancellation_codes(error: Any) -> list[str]:
    return [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]


class StockLedger:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def marker(self, order_id: str) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.table, Key=marker_key(order_id), ConsistentRead=True)
        return found.get("Item")

    def reserve(self, order_id: str, quantities: Mapping[str, int]) -> Outcome:
        try:
            self.client.transact_write_items(TransactItems=reservation_items(self.table, order_id, quantities, time.time()))
        except self.client.exceptions.TransactionCanceledException as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                return self._existing_reservation(order_id)
            short = [sku for sku, code in zip(sorted(quantities), codes[1:]) if code == "ConditionalCheckFailed"]
            if short:
                raise StockUnavailable(f"not enough stock for {', '.join(short)}") from None
            raise  # a conflict or throttling: transient, the workflow retries the task
        return Outcome(RESERVED, dict(quantities))

    def _existing_reservation(self, order_id: str) -> Outcome:
        item = self.marker(order_id) or {}
        if item.get("status", {}).get("S") == RESERVED:
            return Outcome("already_reserved", stored_quantities(item))
        # Released by an earlier execution for the same order, which then failed: a duplicate
        # OrderPlaced must not start the order over, or a refunded payment would be replayed.
        raise StockUnavailable(f"the reservation for order {order_id} was already released")

    def release(self, order_id: str) -> Outcome:
        item = self.marker(order_id)
        if item is None:
            return Outcome("nothing_reserved", {})
        quantities = stored_quantities(item)
        if item.get("status", {}).get("S") != RESERVED:
            return Outcome("already_released", quantities)
        try:
            self.client.transact_write_items(TransactItems=release_items(self.table, order_id, quantities, time.time()))
        except self.client.exceptions.TransactionCanceledException as error:
            if cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
                return Outcome("already_released", quantities)  # a concurrent release won
            raise
        return Outcome(RELEASED, quantities)


def stored_quantities(item: Mapping[str, Any]) -> dict[str, int]:
    return {sku: int(value["N"]) for sku, value in item.get("quantities", {}).get("M", {}).items()}
