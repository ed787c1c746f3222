"""Hypothesis strategies for JSON *text*, so numbers can be written as producers write them.

Generating Python values and calling ``json.dumps`` can never produce ``1e400``, a 400-digit
integer or ``-9223372036854775809`` spelled as such; these strategies write the literals
themselves, which is where the two JSON backends used to disagree.
"""
from __future__ import annotations

import json

from hypothesis import strategies as st

EDGE_NUMBERS = ("1e400", "-1e400", "1E+309", "4e-400", "1" + "0" * 400, "-9223372036854775809",
                "18446744073709551616", "9223372036854775807", "-0", "-0.0", "1.7976931348623157e308")
NON_FINITE = ("NaN", "Infinity", "-Infinity")


def _float_literal(value: float) -> str:
    return json.dumps(value)


number_literals = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(_float_literal),
    st.builds(lambda mantissa, exponent: f"{mantissa}e{exponent}", st.integers(-10**6, 10**6),
              st.integers(-500, 500)),
    st.sampled_from(EDGE_NUMBERS),
)
#: Every value a timestamp (or any JSON member) can take, as JSON text, non-standard constants included.
any_value_literal = st.one_of(
    number_literals,
    st.sampled_from(NON_FINITE + ("null", "true", "false", "{}", "[]", '"1795000000000"', '"soon"')),
    st.text(max_size=12).map(json.dumps),
)


def _array(items: list[str]) -> str:
    return "[" + ",".join(items) + "]"


def _object(members: dict[str, str]) -> str:
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in members.items()) + "}"


json_texts = st.recursive(
    any_value_literal,
    lambda children: st.lists(children, max_size=3).map(_array)
    | st.dictionaries(st.text(max_size=8), children, max_size=4).map(_object),
    max_leaves=10,
)
#: A log line that is a JSON object, with any members (possibly with a message key).
json_object_lines = st.dictionaries(st.sampled_from(["message", "level", "trace_id", "big", "n", "x"])
                                    | st.text(max_size=8), json_texts, max_size=5).map(_object)
