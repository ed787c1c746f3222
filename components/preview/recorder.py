"""A mock monitor that keeps the inventory the engine would receive.

Every registration is kept in order with its type, logical name, parent and inputs in the engine's
camelCase, with secrets masked, because that is what reviewers, tests and the `--json` inventory
need to see.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

SECRET_MASK = "[secret]"


@dataclass(frozen=True)
class Registration:
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: bool

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
            custom=bool(request.custom)))
        return response


def _stack_logical_name(parent_urn: str) -> str | None:
    """The root stack's URN ends in `pulumi:pulumi:Stack::<project>-<stack>`; it is nobody's real parent."""
    if parent_urn and parent_urn.split("::")[-2] == "pulumi:pulumi:Stack":
        return _logical_name(parent_urn)
    return None
