"""JSON for the hot path: orjson when the layer ships it, the standard library otherwise.

Both backends behave the same where it matters for shipping:
- ``loads_line`` rejects NaN, Infinity and numbers too large for a double such as ``1e400``
  (OpenSearch would refuse the whole bulk body, and no finite value can stand for them), so
  such a line is kept as text;
- ``dumps`` never fails on data that came from JSON: a lone surrogate (legal in a JSON string,
  not in UTF-8) is written as '?' instead of raising;
- ``loads_payload`` accepts everything the standard library accepts, so switching backend
  never turns a shippable payload into a dead letter.
orjson is 2-3x faster to parse and ~10x faster to serialise; see benchmarks/README.md.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

try:  # optional accelerator, pinned in handlers/requirements.txt when the layer ships it
    import orjson
except ImportError:  # pragma: no cover - exercised by the stdlib-backend tests via monkeypatching
    orjson = None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON for OpenSearch")


def _finite_float(text: str) -> float:
    """orjson refuses ``1e400`` ("number is infinity"); the stdlib would make it ``inf``."""
    value = float(text)
    if value in _INFINITIES:
        raise ValueError(f"{text[:40]} is beyond the range of a double")
    return value


_INFINITIES = (math.inf, -math.inf)
_stdlib_decode = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float).decode
_stdlib_payload_decode = json.JSONDecoder().decode


def _build_stdlib_encode() -> Callable[[Any], str]:
    """CPython's C encoder, built once: ``JSONEncoder.encode`` rebuilds it on every call, which
    costs more than encoding a small log document. Circular checks are off because documents
    come from JSON parsing and cannot be cyclic."""
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
    iterencode = make(None, _not_serialisable, basestring, None, ":", ",", False, False, False)
    return lambda value: "".join(iterencode(value, 0))


def _not_serialisable(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_stdlib_encode = _build_stdlib_encode()


def stdlib_loads_line(text: str) -> Any:
    return _stdlib_decode(text)


def stdlib_dumps(value: Any) -> bytes:
    return _stdlib_encode(value).encode("utf-8", "replace")


# orjson reads an integer beyond 64 bits (think numeric ids) as a float, silently losing digits.
# Such a float is at least 2**64, or at most -2**63: any float that large sends the line to the
# stdlib, which keeps the integer exact. (A genuine float that large is parsed alike by both.)
# Looking at the parsed values is cheaper than searching the text for long digit runs, which
# costs several microseconds on lines full of hexadecimal ids.
_UNSIGNED_64_LIMIT = 18_446_744_073_709_551_616.0  # 2**64
_SIGNED_64_LIMIT = -9_223_372_036_854_775_808.0  # -2**63


def _may_hold_big_integer(value: Any) -> bool:
    kind = type(value)
    if kind is float:
        return value >= _UNSIGNED_64_LIMIT or value <= _SIGNED_64_LIMIT
    if kind is dict:
        value = value.values()
    elif kind is not list:
        return False
    for item in value:
        kind = type(item)
        if kind is str:  # most values: one comparison
            continue
        if kind is float:
            if item >= _UNSIGNED_64_LIMIT or item <= _SIGNED_64_LIMIT:
                return True
        elif (kind is dict or kind is list) and _may_hold_big_integer(item):
            return True
    return False


def orjson_loads_line(text: str) -> Any:
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        # Rare (lines that start with "{" but are not valid for orjson: lone surrogates, numbers
        # beyond a double, broken JSON): the stdlib decides, so both backends agree on every line.
        return _stdlib_decode(text)
    if _may_hold_big_integer(parsed):
        return _stdlib_decode(text)
    return parsed


def orjson_dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):  # lone surrogate, or an integer beyond 64 bits
        return stdlib_dumps(value)


def loads_payload(raw: bytes) -> Any:
    """A whole subscription payload (UTF-8 bytes)."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # e.g. an escaped lone surrogate in one message: the stdlib accepts it
    return _stdlib_payload_decode(raw.decode("utf-8"))


BACKEND = "orjson" if orjson is not None else "json"
loads_line: Callable[[str], Any] = orjson_loads_line if orjson is not None else stdlib_loads_line
dumps: Callable[[Any], bytes] = orjson_dumps if orjson is not None else stdlib_dumps
