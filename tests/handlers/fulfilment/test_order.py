"""The order check that `validate` runs and every later task repeats."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.fulfilment.errors import OrderInvalid
from handlers.fulfilment.order import Order, parse_order
from tests.handlers.fulfilment.strategies import json_values, orders

ORDER = {
    "order_id": "0b6f2a9e-4c1d-4a8e-9f3b-2d5c6e7f8a9b",
    "customer_id": "c-1",
    "currency": "EUR",
    "total": 7.6,
    "items": [{"sku": "latte", "quantity": 2, "unit_price": 3.5}, {"sku": "cookie", "quantity": 1, "unit_price": 0.6}],
}


def test_prices_arrive_as_json_numbers_and_leave_as_exact_decimal_strings() -> None:
    order = parse_order({"order": ORDER})
    assert order.total == Decimal("7.60")
    assert order.to_json() == {
        "order_id": ORDER["order_id"],
        "customer_id": "c-1",
        "currency": "EUR",
        "total": "7.60",
        "items": [{"sku": "latte", "quantity": 2, "unit_price": "3.50"}, {"sku": "cookie", "quantity": 1, "unit_price": "0.60"}],
    }


def test_a_sku_listed_twice_is_reserved_as_one_quantity() -> None:
    twice = dict(ORDER, total=10.6, items=ORDER["items"] + [{"sku": "latte", "quantity": 1, "unit_price": 3}])
    assert parse_order({"order": twice}).quantities() == {"latte": 3, "cookie": 1}


@settings(max_examples=60, deadline=None)
@given(orders())
def test_a_valid_order_survives_its_own_normalisation(order: dict[str, Any]) -> None:
    parsed = parse_order({"order": order})
    assert parse_order({"order": parsed.to_json()}) == parsed
    assert parsed.total == sum((line.unit_price * line.quantity for line in parsed.items), Decimal(0))


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_input_is_either_an_order_or_order_invalid(value: Any) -> None:
    for state in (value, {"order": value}):
        try:
            assert isinstance(parse_order(state), Order)
        except OrderInvalid as error:
            assert error.field and str(error).startswith(error.field)


BREAKAGES = [
    (("order_id",), "ORDER-1", "order.order_id"),
    (("order_id",), 7, "order.order_id"),
    (("customer_id",), "", "order.customer_id"),
    (("customer_id",), "c-1\n", "order.customer_id"),
    (("total",), "7.60\n", "order.total"),
    (("currency",), "euro", "order.currency"),
    (("total",), "7.6.1", "order.total"),
    (("total",), 99, "order.total"),
    (("total",), float("nan"), "order.total"),
    (("total",), True, "order.total"),
    (("items",), [], "order.items"),
    (("items",), "latte", "order.items"),
    (("items", 0), "latte", "order.items[0]"),
    (("items", 1, "sku"), "a#b", "order.items[1].sku"),
    (("items", 1, "sku"), "cookie\n", "order.items[1].sku"),
    (("items", 0, "quantity"), 0, "order.items[0].quantity"),
    (("items", 0, "quantity"), 2.0, "order.items[0].quantity"),
    (("items", 0, "unit_price"), -1, "order.items[0].unit_price"),
    (("items", 0, "unit_price"), 3.501, "order.items[0].unit_price"),
    (("items", 0, "unit_price"), 10_000_000, "order.items[0].unit_price"),
]


@pytest.mark.parametrize(("path", "bad", "field"), BREAKAGES, ids=[field + "=" + repr(bad) for _, bad, field in BREAKAGES])
def test_each_bad_field_is_named(path: tuple[Any, ...], bad: Any, field: str) -> None:
    order = copy.deepcopy(ORDER)
    holder: Any = order
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = bad
    with pytest.raises(OrderInvalid) as raised:
        parse_order({"order": order})
    assert raised.value.field == field


@settings(max_examples=100, deadline=None)
@given(orders(max_items=5), st.sampled_from(["order_id", "customer_id", "items", "total"]))
def test_a_missing_required_field_is_named(order: dict[str, Any], missing: str) -> None:
    del order[missing]
    with pytest.raises(OrderInvalid) as raised:
        parse_order({"order": order})
    assert raised.value.field == f"order.{missing}"


def test_a_state_without_an_order_is_invalid() -> None:
    with pytest.raises(OrderInvalid, match="^order:"):
        parse_order({"detail": ORDER})
