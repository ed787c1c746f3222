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
import re
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


# orjson turns integers beyond 64 bits into floats, silently losing digits (think numeric ids).
# Such an integer needs a run of at least 19 digits (-9223372036854775809 has 19), so only a line
# holding such a run is looked at again: if it parsed to any float, the stdlib parses it, keeping
# big integers exact. The text is searched first because that is C speed, and it almost never
# matches, so almost no line pays for the Python walk.
_LONG_DIGIT_RUN = re.compile(r"[0-9]{19}").search


def _has_float(value: Any) -> bool:
    if type(value) is float:
        return True
    if type(value) is dict:
        return any(_has_float(item) for item in value.values())
    if type(value) is list:
        return any(_has_float(item) for item in value)
    return False


def orjson_loads_line(text: str) -> Any:
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        # Rare (lines that start with "{" but are not valid for orjson: lone surrogates, numbers
        # beyond a double, broken JSON): the stdlib decides, so both backends agree on every line.
        return _stdlib_decode(text)
    if _LONG_DIGIT_RUN(text) is not None and _has_float(parsed):
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
