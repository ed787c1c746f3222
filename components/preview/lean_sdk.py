"""Lighter paths through the Pulumi SDK for a run under the preview's mocks.

Most of an offline preview's time per resource is the SDK's machinery, not the program's builders
(benchmarks/README.md, "Where the time per resource went, and what was cut"). Under the mocks, with
the engine in the same process, several of its costs buy nothing:

- **A thread per engine call.** Every registration and invoke is handed to a thread pool, because
  against the real engine it is a blocking gRPC call. Here the "engine" is a Python function that
  returns at once, so the hand-off (a thread switch, a wake-up of the event loop) costs more than
  the call. It runs inline instead.
- **Four futures and a task per output property.** For every property of every resource, the SDK
  makes four futures and a task that waits for them, to build one `Output`, and registers each
  `Output` for the end of the run (a lock, a context variable and a callback per property). The
  SDK's own `urn` and `id` outputs are built from one future each; every output property is built
  the same way here, and one output per resource is registered: they all resolve, or fail,
  together. An output's value is checked for unknowns by a walk that returns at once for plain
  values.
- **A URN computed twice.** Each registration also builds the URN a monitor-less run would use,
  through three `Output`s and their tasks, although a monitor answers with the URN. It is computed
  as a string here, the same one.
- **Type inspection of plain values.** Serialising an input walks every value through a dozen
  type checks (unions, awaitables, assets, input types, mappings) before it reaches the line that
  returns a string or a number as it is, and reading an output back does the same to decide
  whether a string is an enum member. Strings, numbers, booleans and None return at once, unless
  their declared type asks for a conversion; and a declared type, once unwrapped from its
  `Optional`, `Input` or `Output`, is remembered instead of unwrapped again for every value.
- **Reading protobuf structs through their Python wrappers.** Each resource's inputs and outputs
  cross as protobuf `Struct`s, read back a value at a time through wrappers that build a
  temporary object per value; `deserialize_properties` reads the values directly, with the same
  result (about three times faster on an alarm's inputs).
- **Debug logs and source positions**, which only the real engine reads, are not produced.
- **Cyclic garbage collection.** With thousands of resources alive, the collector rescans their
  futures over and over while nothing can be freed, so it is paused for the run (see `lean_sdk`).

The replacements rely on SDK internals, so they apply only to the SDK version they were written
against (`SDK_VERSION`, pinned in requirements.txt); with any other version the run takes the
SDK's own paths, slower but the same. Each replacement is compared with the SDK function it stands
in for (tests/unit/preview/test_lean_sdk.py), and a whole stack run both ways
(tests/stack/test_preview_runner.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import gc
import inspect
from typing import Any, Callable, Iterator

import pulumi
from google.protobuf import struct_pb2
from pulumi import _types
from pulumi._version import _VERSION as INSTALLED_SDK_VERSION
from pulumi.output import Output, Unknown, _OutputData
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc, settings
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _ensure_event_loop

#: The SDK version whose internals the replacements below were written against and checked with.
SDK_VERSION = "3.272.0"

_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))


def sdk_supported(version: str = INSTALLED_SDK_VERSION) -> bool:
    return version == SDK_VERSION


@contextlib.contextmanager
def lean_sdk(reclaim: bool) -> Iterator[None]:
    """Runs the block with the lighter paths, and restores the SDK's own afterwards.

    Collection is paused for the run and done once at the end or, when the process is about to
    exit (`reclaim=False`), skipped by freezing what the run left behind: the final collection of a
    100-service run alone took 2.4 s.
    """
    replace = sdk_supported()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_patched(pulumi.log, "debug", _ignore))
            stack.enter_context(_patched(runtime_resource, "_get_stack_trace", source_pb2.StackTrace))
            if replace:
                stack.enter_context(_patched(rpc, "transfer_properties", transfer_properties))
                stack.enter_context(_patched(runtime_resource, "create_urn", _urn_now(runtime_resource.create_urn)))
                stack.enter_context(_patched(rpc, "serialize_property", _plain_first(rpc.serialize_property)))
                stack.enter_context(_patched(rpc, "translate_output_properties",
                                             _plain_outputs_first(rpc.translate_output_properties)))
                for unwrap in ("unwrap_type", "unwrap_optional_type"):
                    stack.enter_context(_patched(_types, unwrap, _remembered(getattr(_types, unwrap))))
                stack.enter_context(_patched(rpc, "deserialize_properties",
                                             _direct_reads(rpc.deserialize_properties)))
                stack.enter_context(_inline_engine_calls(_ensure_event_loop()))
            yield
    finally:
        if reclaim:
            gc.collect()
        else:
            gc.freeze()
        if was_enabled:
            gc.enable()


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def _patched(owner: Any, name: str, replacement: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextlib.contextmanager
def _inline_engine_calls(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Makes `loop.run_in_executor` call the function at once and return its outcome as a done future.

    The SDK sends every engine call through `run_in_executor`. The mock monitor never waits on the
    event loop (`RecordingMonitor` serialises without it), so running it inline cannot deadlock.
    """
    def run_inline(executor: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        future = loop.create_future()
        try:
            future.set_result(func(*args))
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:  # noqa: BLE001 handed to the awaiting task, as the executor would
            future.set_exception(error)
        return future

    loop.run_in_executor = run_inline  # type: ignore[method-assign]
    try:
        yield
    finally:
        del loop.run_in_executor


def transfer_properties(res: pulumi.Resource, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
    """`rpc.transfer_properties` with one future per output, as the SDK builds a resource's `urn` and `id`.

    Same contract: one resolver per property, called once the engine answers with
    (value, is_known, is_secret, dependencies, failure); each output's resources are its
    dependencies plus the resource itself.
    """
    resolvers: dict[str, Callable[..., None]] = {}
    attributes = res.__dict__
    tracked = False
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # the SDK resolves these itself
        data: asyncio.Future[_OutputData[Any]] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve_output, res, data)
        if tracked:
            output: Output[Any] = object.__new__(Output)
            output._data = data
        else:
            output = Output._from_data(data)  # waited for at the end of the run, like every tracked output
            tracked = True
        attributes[name] = output
    return resolvers


def _resolve_output(res: pulumi.Resource, data: asyncio.Future[_OutputData[Any]], value: Any, is_known: bool,
                    is_secret: bool, deps: set[pulumi.Resource] | None, failed: Exception | None) -> None:
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    if is_known and _holds_unknowns(value):
        is_known = False  # what `_OutputData.__post_init__` decides, once its walk is done here
    resolved: _OutputData[Any] = object.__new__(_OutputData)
    resolved.resources, resolved.value, resolved.is_known, resolved.is_secret = resources, value, is_known, is_secret
    data.set_result(resolved)


def _holds_unknowns(value: Any) -> bool:
    """`rpc.contains_unknowns`, answering at once for the plain values that outputs almost always are."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return False
    if kind is dict:
        return any(_holds_unknowns(item) for item in value.values())
    if kind is list:
        return any(_holds_unknowns(item) for item in value)
    return rpc.contains_unknowns(value)


def _urn_now(sdk_create_urn: Callable[..., Output[str]]) -> Callable[..., Output[str]]:
    """`create_urn`, resolved at once when the name, the type and the parent's URN are already strings."""
    @functools.wraps(sdk_create_urn)
    def create_urn(name: Any, type_: Any, parent: Any = None, project: str | None = None,
                   stack: str | None = None) -> Output[str]:
        if not (type(name) is str and type(type_) is str and (parent is None or type(parent) is str)):
            return sdk_create_urn(name, type_, parent, project, stack)
        if parent is not None:
            prefix = parent[0:parent.rfind("::")] + "$"
        else:
            prefix = (f"urn:pulumi:{settings.get_stack() if stack is None else stack}"
                      f"::{settings.get_project() if project is None else project}::")
        data: asyncio.Future[_OutputData[str]] = asyncio.Future()
        data.set_result(_OutputData(resources=set(), value=prefix + type_ + "::" + name, is_known=True,
                                    is_secret=False))
        return Output._from_data(data)
    return create_urn


def _plain_first(serialize_property: Callable[..., Any]) -> Callable[..., Any]:
    """`rpc.serialize_property`, returning strings, numbers, booleans and None as they are at once.

    Every other value takes the SDK's path, whose nested values come back through this one.
    """
    @functools.wraps(serialize_property)
    async def serialize(value: Any, *args: Any, **kwargs: Any) -> Any:
        if type(value) in _PLAIN_TYPES and not kwargs.get("return_protobuf_value"):
            return value
        return await serialize_property(value, *args, **kwargs)
    return serialize


def _plain_outputs_first(translate: Callable[..., Any]) -> Callable[..., Any]:
    """`rpc.translate_output_properties`, returning a plain output as it is when its type converts nothing.

    The SDK turns a string or number into a member of an enum type, and a float into an int where
    the type is `int`; other plain values, and every plain value of a type that is neither, come
    back unchanged.
    """
    @functools.wraps(translate)
    def translate_output_properties(output: Any, output_transformer: Callable[[str], str], typ: Any = None,
                                    *args: Any, **kwargs: Any) -> Any:
        kind = type(output)
        if kind in _PLAIN_TYPES and (typ is None or _converts_nothing(typ, kind)):
            return output
        return translate(output, output_transformer, typ, *args, **kwargs)
    return translate_output_properties


def _converts_nothing(typ: Any, kind: type) -> bool:
    try:
        return _converts_nothing_to(typ, kind)
    except TypeError:  # an unhashable annotation: let the SDK decide
        return False


@functools.lru_cache(maxsize=None)
def _converts_nothing_to(typ: Any, kind: type) -> bool:
    target = _types.unwrap_optional_type(typ)
    if inspect.isclass(target) and issubclass(target, enum.Enum):
        return kind is type(None)
    return not (kind is float and target is int)


def _remembered(unwrap: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A type unwrapper that answers each type it has seen from memory (it is a pure function of the type)."""
    known: dict[Any, Any] = {}

    @functools.wraps(unwrap)
    def remembered(typ: Any) -> Any:
        try:
            return known[typ]
        except KeyError:
            known[typ] = unwrapped = unwrap(typ)
            return unwrapped
        except TypeError:  # an unhashable annotation: nothing to remember it by
            return unwrap(typ)
    return remembered


def _direct_reads(sdk_deserialize: Callable[..., Any]) -> Callable[..., Any]:
    """`rpc.deserialize_properties`, reading a struct's values directly instead of through its wrappers.

    The result is the SDK's: None-valued keys are left out, the unknown sentinel becomes `Unknown()`
    in a preview or when asked to keep unknowns and None otherwise, and a list or map holding a
    secret becomes a secret itself. Structs carrying a signature (secrets, assets, archives,
    resource references, output values) go to the SDK's own function.
    """
    sig_key, unknown = rpc._special_sig_key, rpc.UNKNOWN
    is_secret, wrap_secret, unwrap_secret = rpc.is_rpc_secret, rpc.wrap_rpc_secret, rpc.unwrap_rpc_secret

    def read(value: struct_pb2.Value, keep_unknowns: bool | None, keep_internal: bool | None) -> Any:
        kind = value.WhichOneof("kind")
        if kind == "string_value":
            text = value.string_value
            if text == unknown:
                return Unknown() if settings.is_dry_run() or keep_unknowns else None
            return text
        if kind == "number_value":
            return value.number_value
        if kind == "bool_value":
            return value.bool_value
        if kind == "struct_value":
            props = deserialize_properties(value.struct_value, keep_unknowns, keep_internal)
            if isinstance(props, dict) and any(is_secret(item) for item in props.values()):
                return wrap_secret({key: unwrap_secret(item) for key, item in props.items()})
            return props
        if kind == "list_value":
            items = [read(item, keep_unknowns, keep_internal) for item in value.list_value.values]
            if any(is_secret(item) for item in items):
                return wrap_secret([unwrap_secret(item) for item in items])
            return items
        if kind == "null_value":
            return None
        raise ValueError("Value not set")

    @functools.wraps(sdk_deserialize)
    def deserialize_properties(props_struct: struct_pb2.Struct, keep_unknowns: bool | None = None,
                               keep_internal: bool | None = True) -> Any:
        fields = props_struct.fields
        if sig_key in fields:
            return sdk_deserialize(props_struct, keep_unknowns, keep_internal)
        output = {}
        for key, value in fields.items():
            if keep_internal is False and key.startswith("__") and key != "__provider":
                continue
            item = read(value, keep_unknowns, keep_internal)
            if item is not None:
                output[key] = item
        return output

    return deserialize_properties
