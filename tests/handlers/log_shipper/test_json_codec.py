"""The optional orjson backend and the stdlib backend agree on what matters for shipping."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.log_shipper import json_codec
from tests.handlers.log_shipper.json_strategies import json_object_lines, json_texts
from tests.handlers.log_shipper.test_documents import any_message, document_for

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


@pytest.mark.parametrize(("name", "loads", "dumps"), BACKENDS)
@pytest.mark.parametrize("number", ["1e400", "-1e400", "1E+309", "1" + "0" * 400 + ".0"])
def test_numbers_beyond_a_double_are_rejected_like_infinity(name: str, loads: Callable[[str], Any],
                                                            dumps: Callable[[Any], bytes], number: str) -> None:
    with pytest.raises(ValueError):
        loads('{"message": "m", "x": %s}' % number)


@pytest.mark.parametrize(("name", "loads", "dumps"), BACKENDS)
@pytest.mark.parametrize("number", [-9223372036854775809, 18446744073709551616, 10**400])
def test_integers_beyond_64_bits_stay_exact_even_beside_a_float(name: str, loads: Callable[[str], Any],
                                                                dumps: Callable[[Any], bytes], number: int) -> None:
    parsed = loads('{"id": %d, "ratio": 0.5}' % number)
    assert parsed["id"] == number and json.loads(dumps(parsed))["id"] == number


def _outcome(loads: Callable[[str], Any], dumps: Callable[[Any], bytes], text: str) -> tuple[str, Any]:
    try:
        parsed = loads(text)
    except ValueError:
        return "rejected", None
    return "parsed", (parsed, json.loads(dumps(parsed)))


@settings(max_examples=400)
@given(text=json_texts)
def test_every_backend_parses_and_writes_any_json_text_alike(text: str) -> None:
    """The differential property over every backend this machine has: none may accept, reject
    or change a value where another does not."""
    outcomes = {name: _outcome(loads, dumps, text) for name, loads, dumps in BACKENDS}
    assert len({repr(outcome) for outcome in outcomes.values()}) == 1, outcomes
    kind, values = outcomes["json"]
    if kind == "parsed":
        parsed, written = values
        assert written == parsed  # what is written reads back as what was read (exact integers)


def _document_with(backend: str, message: str) -> tuple[str, dict[str, Any], Any]:
    """Built with the given backend in place, as the layer would run it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_codec, "loads_line", getattr(json_codec, f"{backend}_loads_line"))
        patch.setattr(json_codec, "dumps", getattr(json_codec, f"{backend}_dumps"))
        document = document_for(message)
    return document.index, document.source, json.loads(document.ndjson.split(b"\n")[1])


@pytest.mark.skipif(json_codec.orjson is None, reason="orjson not installed")
@settings(max_examples=300, deadline=None)
@given(message=st.one_of(json_object_lines, any_message))
@example(message='{"level": 1e-09, "message": "m"}')  # a promoted float: orjson writes 1e-9, the stdlib 1e-09
def test_a_line_becomes_the_same_document_with_either_backend(message: str) -> None:
    """The module docstring's promise, over the whole class of lines: the same index, source and
    bulk line (up to how each backend spells a float), whichever backend the layer ships."""
    assert _document_with("stdlib", message) == _document_with("orjson", message)
