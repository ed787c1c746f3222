"""Hypothesis strategies for any ref dataclass, including refs of kinds that do not exist yet.

Built from the dataclass's fields and type hints, so a test over "every ref" covers a kind the
moment it is added to ``components/observability/refs.py``.
"""
from __future__ import annotations

import dataclasses
import types
import typing

from hypothesis import strategies as st

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=24)


def _value(hint: typing.Any) -> st.SearchStrategy:
    """Field values for any ref dataclass, including refs that do not exist yet."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_value(arg) for arg in typing.get_args(hint)))
    if hint is type(None):
        return st.none()
    if hint is str:
        return NAMES
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(1, 900)
    if hint is float:
        return st.floats(1, 1000)
    if origin is tuple:
        return st.lists(_value(typing.get_args(hint)[0]), max_size=3).map(tuple)
    if dataclasses.is_dataclass(hint):
        return ref_strategy(hint)
    raise AssertionError(f"no strategy for {hint!r}")


def ref_strategy(cls: type) -> st.SearchStrategy:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: _value(hints[f.name]) for f in dataclasses.fields(cls)})
