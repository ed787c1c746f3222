"""A mock monitor that keeps the inventory the engine would receive.

Every registration is kept in order with its type, logical name, parent and inputs in the engine's
camelCase, with secrets masked, because that is what reviewers, tests and the `--json` inventory
need to see. Its resource options (protect, delete-before-replace, ...) are kept too: they decide
what `pulumi up` does on a replacement or a `destroy`, and a test that cannot see them cannot
notice that a production table lost its `protect`.
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, _resolve_callbacks
from pulumi.runtime.proto import resource_pb2

from components.preview.mocks import PlatformMocks

SECRET_MASK = "[secret]"


@dataclass(frozen=True)
class ResourceOptions:
    """The options the engine receives with a registration, as the SDK resolved them.

    `delete_before_replace` is None when the program left it to the provider (which asks for
    delete-before-replace on its own when a resource's name was set explicitly), True or False
    when the program decided.
    """

    protect: bool = False
    delete_before_replace: bool | None = None
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()

    @classmethod
    def of_request(cls, request: Any) -> "ResourceOptions":
        return cls(protect=bool(request.protect),
                   delete_before_replace=bool(request.deleteBeforeReplace)
                   if request.deleteBeforeReplaceDefined else None,
                   retain_on_delete=bool(request.retainOnDelete),
                   ignore_changes=tuple(request.ignoreChanges), replace_on_changes=tuple(request.replaceOnChanges))


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: bool
    options: ResourceOptions = ResourceOptions()
    urn: str = ""
    #: Input property -> URNs of the resources its value came from (how policies follow an id to its owner).
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def as_inventory(self) -> dict[str, Any]:
        return {"type": self.type, "name": self.name, "parent": self.parent, "inputs": self.inputs}


def _logical_name(urn: str) -> str | None:
    return urn.split("::")[-1] if urn else None


def mask_secrets(value: Any) -> Any:
    """Replaces the engine's secret wrappers and turns assets into their paths, recursively."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_MASK
        return {key: mask_secrets(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_secrets(item) for item in value]
    path = getattr(value, "path", None)
    if path is not None and type(value).__name__ in ("FileArchive", "FileAsset"):
        return {"path": str(path)}
    return value


#: Inputs the SDK's own monitor answers: values that deserialise into live SDK objects (resource
#: references, output values), and unknowns, which it drops before the mocks see them.
_SDK_ONLY = (rpc._special_resource_sig.encode(), rpc._special_output_value_sig.encode(), rpc.UNKNOWN.encode())


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, recording every registration, and able to answer on the event loop's thread.

    The SDK's monitor serialises its answers with `_sync_await`, which needs an event loop of its
    own, so it can only run on a worker thread. This one answers a registration without the loop,
    which lets the preview call it inline (`components.preview.lean_sdk`); whatever it does not
    answer itself (invokes, reads, values that deserialise into SDK objects) goes to the SDK's
    monitor on a worker thread, as the SDK would have sent it.
    """

    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type == "pulumi:pulumi:Stack":
            return super().RegisterResource(request)
        wire = request.object.SerializeToString()
        if any(marker in wire for marker in _SDK_ONLY):
            response = self._off_loop(super().RegisterResource, request)
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        else:
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            response = self._register(request, inputs)
        if not request.type.startswith("pulumi:providers:"):
            self._record(request, response, inputs)
        return response

    def Invoke(self, request: Any) -> Any:
        return self._off_loop(super().Invoke, request)

    def ReadResource(self, request: Any) -> Any:
        return self._off_loop(super().ReadResource, request)

    def _register(self, request: Any, inputs: dict[str, Any]) -> Any:
        """What `MockMonitor.RegisterResource` answers, built without the event loop."""
        urn = self.make_urn(request.parent, request.type, request.name)
        args = MockResourceArgs(typ=request.type, name=request.name, inputs=inputs, provider=request.provider,
                                resource_id=request.importId, custom=request.custom or False,
                                transforms=_resolve_callbacks(request.transforms))
        if type(self.mocks).new_resource is PlatformMocks.new_resource:
            resource_id, computed = self.mocks.computed_outputs(args)
            state = {**inputs, **computed}
            answer = _with_outputs(request.object, computed)
        else:
            resource_id, state = self.mocks.new_resource(args)
            answer = _serialize_now(state)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=answer)

    def _record(self, request: Any, response: Any, inputs: dict[str, Any]) -> None:
        registration = self.resources.get(response.urn)
        parent = _logical_name(request.parent)
        stack_name = _stack_logical_name(request.parent)
        self.registrations.append(Registration(
            type=request.type, name=request.name, parent=None if parent == stack_name else parent,
            inputs=mask_secrets(inputs), outputs=dict(registration.state) if registration else {},
            custom=bool(request.custom), options=ResourceOptions.of_request(request), urn=response.urn,
            dependencies={key: tuple(value.urns) for key, value in request.propertyDependencies.items()
                          if value.urns}))

    def _off_loop(self, call: Callable[[Any], Any], request: Any) -> Any:
        """Runs one of the SDK monitor's calls where it can make its own event loop: a worker thread."""
        if asyncio._get_running_loop() is None:
            return call(request)
        return _worker().submit(contextvars.copy_context().run, call, request).result()


@functools.lru_cache(maxsize=1)
def _worker() -> ThreadPoolExecutor:
    """One thread for the process, as the SDK keeps one pool, so runs do not leave threads behind."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="preview-monitor")


def _serialize_now(values: dict[str, Any]) -> struct_pb2.Struct:
    """`rpc.serialize_properties` run to completion at once: plain values never wait on the event loop."""
    coroutine = rpc.serialize_properties(values, {})
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("a mock's outputs can only hold plain values, assets and secrets")


def _with_outputs(inputs: struct_pb2.Struct, outputs: dict[str, Any]) -> struct_pb2.Struct:
    """The inputs as the engine received them, with the mock's computed outputs serialised over them.

    Equal, once the SDK has read it, to serialising the inputs read back plus the outputs, as the
    SDK's monitor does, at a fraction of the cost: the inputs are copied, not read and rewritten.
    """
    answer = struct_pb2.Struct()
    answer.CopyFrom(inputs)
    serialized = _serialize_now(outputs)
    for key in outputs:
        if key in serialized.fields:
            answer.fields[key].CopyFrom(serialized.fields[key])
        elif key in answer.fields:
            del answer.fields[key]  # an output of None leaves the property out, as serialising it would
    return answer


def _stack_logical_name(parent_urn: str) -> str | None:
    """The root stack's URN ends in `pulumi:pulumi:Stack::<project>-<stack>`; it is nobody's real parent."""
    if parent_urn and parent_urn.split("::")[-2] == "pulumi:pulumi:Stack":
        return _logical_name(parent_urn)
    return None
