"""The optional orjson backend and the stdlib backend agree on what matters for shipping."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from handlers.log_shipper import json_codec

BACKENDS: list[tuple[str, Callable[[str], Any], Callable[[Any], bytes]]] = [("json", json_codec.stdlib_loads_line, json_codec.stdlib_dumps)]
if json_codec.orjson is not None:
    BACKENDS.append(("orjson", json_codec.orjson_loads_line, json_codec.orjson_dumps))


@pytest.mark.parametrize(("name", "loads", "dumps"), BACKENDS)
def test_nan_and_infinity_are_rejected(name: str, loads: Callable[[str], Any], dumps: Callable[[Any], bytes]) -> None:
    for text in ('{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'):
        with pytest.raises(ValueError):
            loads(text)


@pytest.mark.parametrize(("name", "loads", "dumps"), BACKENDS)
def test_lone_surrogates_round_trip_as_replacement(name: str, loads: Callable[[str], Any], dumps: Callable[[Any], bytes]) -> None:
    parsed = loads('{"a": "x\\ud800y"}')
    assert parsed == {"a": "x\ud800y"}
    assert dumps(parsed) == b'{"a":"x?y"}'


@pytest.mark.parametrize(("name", "loads", "dumps"), BACKENDS)
def test_compact_utf8_output(name: str, loads: Callable[[str], Any], dumps: Callable[[Any], bytes]) -> None:
    assert dumps({"k": "ü ✓", "n": [1, 2.5, True, None]}) == '{"k":"ü ✓","n":[1,2.5,true,null]}'.encode()


def test_payload_with_an_escaped_lone_surrogate_still_decodes() -> None:
    assert json_codec.loads_payload(b'{"m": "\\udfff"}') == {"m": "\udfff"}


def test_invalid_utf8_payload_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        json_codec.loads_payload(b"\xff\xfe")
