"""Stock reservations against moto DynamoDB: all or nothing, and exactly once per order in both directions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.fulfilment.errors import StockUnavailable
from handlers.fulfilment.stock import StockLedger
from tests.handlers.fulfilment.conftest import STOCK_TABLE, set_stock, stock_of

ORDER = "0b6f2a9e-4c1d-4a8e-9f3b-2d5c6e7f8a9b"
OTHER = "1c7f3b0f-5d2e-4b9f-8a4c-3e6d7f8a9b0c"


@pytest.fixture
def ledger(dynamodb: Any) -> StockLedger:
    set_stock(dynamodb, latte=5, cookie=2)
    return StockLedger(dynamodb, STOCK_TABLE)


def test_a_reservation_takes_each_quantity(ledger: StockLedger, dynamodb: Any) -> None:
    assert ledger.reserve(ORDER, {"latte": 2, "cookie": 1}).status == "reserved"
    assert (stock_of(dynamodb, "latte"), stock_of(dynamodb, "cookie")) == (3, 1)


def test_a_repeated_reservation_takes_nothing_more(ledger: StockLedger, dynamodb: Any) -> None:
    ledger.reserve(ORDER, {"latte": 2})
    again = ledger.reserve(ORDER, {"latte": 2})
    assert again.status == "already_reserved" and again.quantities == {"latte": 2}
    assert stock_of(dynamodb, "latte") == 3


def test_short_stock_on_one_sku_reserves_nothing_and_names_it(ledger: StockLedger, dynamodb: Any) -> None:
    with pytest.raises(StockUnavailable, match="not enough stock for cookie$"):
        ledger.reserve(ORDER, {"latte": 2, "cookie": 3})
    assert (stock_of(dynamodb, "latte"), stock_of(dynamodb, "cookie")) == (5, 2)
    assert ledger.marker(ORDER) is None


def test_an_unknown_sku_is_unavailable(ledger: StockLedger) -> None:
    with pytest.raises(StockUnavailable, match="muffin"):
        ledger.reserve(ORDER, {"muffin": 1})


def test_a_release_gives_back_what_was_reserved_once(ledger: StockLedger, dynamodb: Any) -> None:
    ledger.reserve(ORDER, {"latte": 2, "cookie": 2})
    assert ledger.release(ORDER).status == "released"
    assert ledger.release(ORDER).status == "already_released"
    assert (stock_of(dynamodb, "latte"), stock_of(dynamodb, "cookie")) == (5, 2)


def test_releasing_an_order_that_reserved_nothing_changes_nothing(ledger: StockLedger, dynamodb: Any) -> None:
    assert ledger.release(ORDER).status == "nothing_reserved"
    assert stock_of(dynamodb, "latte") == 5


def test_a_concurrent_release_gives_back_once(ledger: StockLedger, dynamodb: Any) -> None:
    """Two releases read the reserved marker before either wrote: the second transaction loses."""
    ledger.reserve(ORDER, {"latte": 2})
    marker = ledger.marker(ORDER)
    slow = StockLedger(dynamodb, STOCK_TABLE)
    slow.marker = lambda order_id: marker  # type: ignore[method-assign]  # its read happened before the first release
    assert ledger.release(ORDER).status == "released"
    assert slow.release(ORDER).status == "already_released"
    assert stock_of(dynamodb, "latte") == 5


def test_a_released_order_cannot_be_reserved_again(ledger: StockLedger, dynamodb: Any) -> None:
    """A duplicate OrderPlaced after the first execution compensated must not start the order over."""
    ledger.reserve(ORDER, {"latte": 1})
    ledger.release(ORDER)
    with pytest.raises(StockUnavailable, match="already released"):
        ledger.reserve(ORDER, {"latte": 1})
    assert stock_of(dynamodb, "latte") == 5


def test_orders_do_not_share_reservations(ledger: StockLedger, dynamodb: Any) -> None:
    ledger.reserve(ORDER, {"latte": 3})
    with pytest.raises(StockUnavailable):
        ledger.reserve(OTHER, {"latte": 3})
    ledger.release(ORDER)
    assert ledger.reserve(OTHER, {"latte": 3}).status == "reserved"
    assert stock_of(dynamodb, "latte") == 2


operations = st.lists(st.tuples(st.sampled_from(["reserve", "release"]), st.sampled_from([ORDER, OTHER])), max_size=12)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_stock_is_always_the_start_minus_what_live_reservations_hold(dynamodb: Any, steps: list[tuple[str, str]]) -> None:
    """Any sequence of retried, duplicated and interleaved reservations and releases keeps the books."""
    set_stock(dynamodb, latte=5)
    for order_id in (ORDER, OTHER):
        dynamodb.delete_item(TableName=STOCK_TABLE, Key={"sku": {"S": f"reservation#{order_id}"}})
    ledger = StockLedger(dynamodb, STOCK_TABLE)
    wants = {ORDER: 2, OTHER: 3}
    for operation, order_id in steps:
        if operation == "reserve":
            try:
                ledger.reserve(order_id, {"latte": wants[order_id]})
            except StockUnavailable:
                pass
        else:
            ledger.release(order_id)
    held = sum(wants[order_id] for order_id in wants if (ledger.marker(order_id) or {}).get("status", {}).get("S") == "reserved")
    assert stock_of(dynamodb, "latte") == 5 - held >= 0
