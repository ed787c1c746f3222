"""A mock monitor that keeps the inventory the engine would receive.

Every registration is kept in order with its type, logical name, parent and inputs in the engine's
camelCase, with secrets masked, because that is what reviewers, tests and the `--json` inventory
need to see. Its resource options (protect, delete-before-replace, ...) are kept too: they decide
what `pulumi up` does on a replacement or a `destroy`, and a test that cannot see them cannot
notice that a production table lost its `protect`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

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


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Any) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack" or request.type.startswith("pulumi:providers:"):
            return response
        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        registration = self.resources.get(response.urn)
        parent = _logical_name(request.parent)
        stack_name = _stack_logical_name(request.parent)
        self.registrations.append(Registration(
            type=request.type, name=request.name, parent=None if parent == stack_name else parent,
            inputs=mask_secrets(inputs), outputs=dict(registration.state) if registration else {},
            custom=bool(request.custom), options=ResourceOptions.of_request(request), urn=response.urn,
            dependencies={key: tuple(value.urns) for key, value in request.propertyDependencies.items()
                          if value.urns}))
        return response


def _stack_logical_name(parent_urn: str) -> str | None:
    """The root stack's URN ends in `pulumi:pulumi:Stack::<project>-<stack>`; it is nobody's real parent."""
    if parent_urn and parent_urn.split("::")[-2] == "pulumi:pulumi:Stack":
        return _logical_name(parent_urn)
    return None
