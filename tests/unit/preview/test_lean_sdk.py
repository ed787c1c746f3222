"""The preview's lighter SDK paths give what the SDK's own paths give, for every class of value they take.

Each replacement is compared with the SDK function it stands in for, on generated values; the whole
stacks are compared in tests/stack/test_preview_lean.py.
"""
from __future__ import annotations

import asyncio
import enum
import re
import typing
from pathlib import Path
from typing import Any, Optional

import pulumi
import pytest
from google.protobuf import struct_pb2
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi import _types
from pulumi._version import _VERSION
from pulumi.output import Unknown
from pulumi.runtime import rpc

from components.preview import lean_sdk

REPO_ROOT = Path(__file__).resolve().parents[3]
SIG = rpc._special_sig_key


def test_the_replacements_target_the_pinned_sdk():
    """Bumping pulumi in requirements.txt fails here until the replacements are checked against it."""
    pinned = re.search(r"^pulumi==(\S+)$", (REPO_ROOT / "requirements.txt").read_text(), re.M)
    assert pinned and pinned.group(1) == lean_sdk.SDK_VERSION == _VERSION
    assert lean_sdk.sdk_supported()
    assert not lean_sdk.sdk_supported("3.999.0")


def _done(coroutine: Any) -> Any:
    """Runs a coroutine that never waits; every value here is plain, so none does."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("waited")


def _run(coroutine: Any) -> Any:
    """On a loop of its own, leaving the thread's current loop (which the runs of other tests use) alone."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _comparable(value: Any) -> Any:
    """Unknowns and assets compare by identity; compare what they stand for."""
    if isinstance(value, Unknown):
        return "<unknown>"
    if isinstance(value, (pulumi.FileAsset, pulumi.FileArchive)):
        return (type(value).__name__, str(value.path))
    if isinstance(value, dict):
        return {key: _comparable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


# -- reading structs ---------------------------------------------------------------------------
KEYS = st.one_of(st.text(max_size=8), st.sampled_from(["__internal", "__provider", "id", "urn"]))
LEAVES = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
                   st.integers(-10**6, 10**6), st.text(max_size=12), st.just(rpc.UNKNOWN))


def _wire_values(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(KEYS, children, max_size=4),
        children.map(lambda value: {SIG: rpc._special_secret_sig, "value": value}),
        st.text(min_size=1, max_size=8).map(lambda path: {SIG: rpc._special_asset_sig, "path": path}),
        st.text(min_size=1, max_size=8).map(lambda path: {SIG: rpc._special_archive_sig, "path": path}),
    )


WIRE = st.dictionaries(KEYS, st.recursive(LEAVES, _wire_values, max_leaves=25), max_size=6)


@settings(max_examples=300, deadline=None)
@given(WIRE, st.sampled_from([None, False, True]), st.sampled_from([None, False, True]))
def test_direct_reads_give_what_the_sdk_reads(values, keep_unknowns, keep_internal):
    struct = struct_pb2.Struct()
    struct.update(values)
    direct = lean_sdk._direct_reads(rpc.deserialize_properties)
    expected = rpc.deserialize_properties(struct, keep_unknowns, keep_internal)
    assert _comparable(direct(struct, keep_unknowns, keep_internal)) == _comparable(expected)


def test_a_value_left_unset_is_refused_as_the_sdk_refuses_it():
    struct = struct_pb2.Struct()
    struct.fields["broken"].CopyFrom(struct_pb2.Value())
    with pytest.raises(ValueError, match="Value not set"):
        rpc.deserialize_properties(struct)
    with pytest.raises(ValueError, match="Value not set"):
        lean_sdk._direct_reads(rpc.deserialize_properties)(struct)


# -- plain values, with and without declared types ---------------------------------------------
class Colour(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    ONE = 1


TYPES = [None, Any, str, int, float, bool, Optional[int], Optional[str], Optional[Colour], Colour, Size,
         pulumi.Input[str], Optional[pulumi.Input[int]], dict[str, str], list[str], typing.Mapping[str, Any]]
PLAIN = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                  st.text(max_size=6), st.sampled_from(["red", "blue", "green"]), st.sampled_from([1.0, 2.0]))


def _outcome(call: Any) -> Any:
    try:
        value = call()
    except Exception as error:  # noqa: BLE001 both sides must fail alike
        return ("error", type(error))
    return ("value", _comparable(value), type(value))


@settings(max_examples=300, deadline=None)
@given(st.recursive(PLAIN, lambda children: st.one_of(st.lists(children, max_size=3),
                                                      st.dictionaries(st.text(max_size=4), children, max_size=3)),
                    max_leaves=10),
       st.sampled_from(TYPES))
def test_plain_inputs_serialise_as_the_sdk_serialises_them(value, typ):
    sdk = rpc.serialize_property
    plain_first = lean_sdk._plain_first(sdk)
    expected = _outcome(lambda: _done(sdk(value, [], "key", None, None, typ)))
    deps: list[Any] = []
    rpc.serialize_property = plain_first  # nested values come back through the module's name, as in a run
    try:
        actual = _outcome(lambda: _done(plain_first(value, deps, "key", None, None, typ)))
    finally:
        rpc.serialize_property = sdk
    assert actual == expected
    assert deps == []


@settings(max_examples=300, deadline=None)
@given(PLAIN, st.sampled_from(TYPES))
def test_plain_outputs_read_back_as_the_sdk_reads_them(value, typ):
    sdk = rpc.translate_output_properties
    fast = lean_sdk._plain_outputs_first(sdk)
    assert _outcome(lambda: fast(value, lambda key: key, typ)) == _outcome(lambda: sdk(value, lambda key: key, typ))


def test_a_float_read_back_as_an_int_and_a_string_as_an_enum_member_still_convert():
    fast = lean_sdk._plain_outputs_first(rpc.translate_output_properties)
    assert type(fast(3.0, str, Optional[int])) is int
    assert fast("red", str, Colour) is Colour.RED
    with pytest.raises(ValueError):
        fast("green", str, Colour)


@pytest.mark.parametrize("unwrap", ["unwrap_type", "unwrap_optional_type"])
def test_remembered_types_unwrap_as_the_sdk_unwraps_them(unwrap):
    sdk = getattr(_types, unwrap)
    remembered = lean_sdk._remembered(sdk)
    unhashable = typing.Annotated[int, []]  # its metadata cannot be hashed, so nothing is remembered
    for typ in [int, Optional[int], pulumi.Input[str], pulumi.Output[str], Optional[pulumi.Input[str]],
                Optional[dict[str, str]], list[Optional[str]], Colour, unhashable]:
        assert remembered(typ) == sdk(typ)
        assert remembered(typ) == sdk(typ)  # and again, from memory


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.one_of(PLAIN, st.builds(Unknown)),
                    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                                               st.dictionaries(st.text(max_size=4), children, max_size=3)),
                    max_leaves=12))
def test_unknowns_are_found_wherever_the_sdk_finds_them(value):
    assert lean_sdk._holds_unknowns(value) == rpc.contains_unknowns(value)


# -- outputs and URNs --------------------------------------------------------------------------
def test_a_urn_made_at_once_is_the_urn_the_sdk_makes():
    async def both(*args: Any) -> tuple[Any, Any]:
        fast = lean_sdk._urn_now(pulumi.runtime.resource.create_urn)(*args)
        sdk = pulumi.runtime.resource.create_urn(*args)
        return ((await fast.future(), await fast.is_known(), await fast.resources()),
                (await sdk.future(), await sdk.is_known(), await sdk.resources()))

    parent = "urn:pulumi:dev::platform::platform:services:HttpService::orders"
    for args in [("orders-api", "aws:lambda/function:Function", parent, None, None),
                 ("orders", "platform:services:HttpService", None, "platform", "dev"),
                 ("x", "aws:sns/topic:Topic", "", "p", "s")]:
        fast, sdk = _run(both(*args))
        assert fast == sdk


def test_outputs_resolve_with_the_value_secrecy_and_dependencies_the_sdk_gives_them():
    async def check() -> None:
        resource = object.__new__(pulumi.CustomResource)
        other = object.__new__(pulumi.CustomResource)
        resolvers = lean_sdk.transfer_properties(resource, {"name": None, "tags": None, "id": None, "urn": None}, True)
        assert sorted(resolvers) == ["name", "tags"]
        resolvers["name"]("n", True, True, {other}, None)
        resolvers["tags"]({"a": Unknown()}, True, False, None, None)
        name, tags = resource.__dict__["name"], resource.__dict__["tags"]
        assert (await name.future(), await name.is_known(), await name.is_secret()) == ("n", True, True)
        assert await name.resources() == {resource, other}
        assert await tags.is_known() is False  # a value holding an unknown is not known, as in the SDK

        failing = object.__new__(pulumi.CustomResource)
        error = RuntimeError("the engine refused it")
        lean_sdk.transfer_properties(failing, {"arn": None}, True)["arn"](None, True, False, None, error)
        with pytest.raises(RuntimeError, match="refused"):
            await failing.__dict__["arn"].future()

    _run(check())
