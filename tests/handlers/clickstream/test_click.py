"""A click's body, over arbitrary bytes and JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.clickstream.click import Click, MalformedClick, minute_of, parse_click
from tests.handlers.fulfilment.strategies import json_values


def test_a_page_view() -> None:
    parsed = parse_click(b'{"session_id": "s-1", "page": "/menu/latte", "event": "page_view", "_trace_context": {}}')
    assert parsed == Click("s-1", "/menu/latte", "page_view") and parsed.is_page_view
    assert not parse_click(b'{"session_id": "s-1", "page": "/menu", "event": "add_to_cart"}').is_page_view


@given(st.binary(max_size=300))
def test_any_bytes_are_a_click_or_malformed(data: bytes) -> None:
    try:
        assert isinstance(parse_click(data), Click)
    except MalformedClick as error:
        assert error.field in ("data", "session_id", "page", "event")


@given(st.one_of(json_values, st.dictionaries(st.sampled_from(["session_id", "page", "event"]), json_values)))
def test_any_json_is_a_click_or_names_its_bad_field(value: Any) -> None:
    try:
        parse_click(json.dumps(value).encode())
    except MalformedClick as error:
        assert str(error).startswith(error.field + ": ")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"session_id": "s-1", "page": "menu", "event": "page_view"}, "page"),
        ({"session_id": "s-1", "page": "/a b", "event": "page_view"}, "page"),
        ({"session_id": "s-1", "page": "/" + "a" * 600, "event": "page_view"}, "page"),
        ({"session_id": "", "page": "/", "event": "page_view"}, "session_id"),
        ({"session_id": "s-1\n", "page": "/", "event": "page_view"}, "session_id"),
        ({"session_id": "s-1", "page": "/", "event": "page_view\n"}, "event"),
        ({"session_id": "s-1", "page": "/", "event": "PageView"}, "event"),
        ({"page": "/", "event": "page_view"}, "session_id"),
    ],
)
def test_each_bad_field_is_named(body: dict[str, Any], field: str) -> None:
    with pytest.raises(MalformedClick) as raised:
        parse_click(json.dumps(body).encode())
    assert raised.value.field == field


@given(st.floats(0, 4e9))
def test_the_minute_is_the_utc_minute_of_arrival(epoch: float) -> None:
    import datetime

    expected = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M")
    assert minute_of(epoch) == expected
