"""One clear error for a program that fails under the mocks, instead of an event-loop traceback.

When a component raises, the exception surfaces from deep inside the SDK's event loop (an `apply`
callback, a registration's input serialisation, an invoke), and the traceback shows asyncio and
Pulumi frames, not the resource at fault. `ProgramError` names the stack, the resource that was
being registered (found in the frames that were registering or constructing it), the cause, and
the program's own frames, and chains nothing, so the report ends there.

The error is also an instance of the cause's type (a subclass of both is made per cause), so a
test that expects, say, `ServiceArgumentError` keeps catching it and reading its attributes.
"""
from __future__ import annotations

import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

import pulumi

#: Frames from these directories are the machinery (the SDK, the standard library with asyncio, the
#: runner and this kit), not the program.
_MACHINERY = (Path(pulumi.__file__).resolve().parent, Path(traceback.__file__).resolve().parent,
              Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "preview")


class ProgramError(Exception):
    """The program failed under the mocks: `stack`, `resource` (type and name, or None), `cause`."""

    stack: str
    resource: str | None
    cause: BaseException
    registered: Any  # the StackView of what was registered before the failure

    def __str__(self) -> str:
        return self.message


def program_error(stack: str, cause: BaseException, registered: Any) -> ProgramError:
    resource = _resource_at_fault(cause)
    frames = _program_frames(cause)
    lines = [f"stack {stack}: the program failed under the mocks",
             f"  while registering: {resource or 'no resource (the program itself raised)'}",
             f"  cause: {type(cause).__name__}: {cause}"]
    if frames:
        lines.append("  in the program:")
        lines += [f"    {frame}" for frame in frames]
    error = _instance(cause)
    error.message = "\n".join(lines)
    error.stack, error.resource, error.cause, error.registered = stack, resource, cause, registered
    return error


def _instance(cause: BaseException) -> ProgramError:
    """A ProgramError that is also of the cause's type, carrying the cause's attributes."""
    try:
        kind = type(f"ProgramError[{type(cause).__name__}]", (ProgramError, type(cause)), {})
        error = BaseException.__new__(kind)
        error.__dict__.update(getattr(cause, "__dict__", {}))
        error.args = cause.args
    except TypeError:  # a type that cannot be combined (a final class or a C layout)
        error = ProgramError.__new__(ProgramError)
    return error


def _chain(error: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _frames(error: BaseException) -> list[Any]:
    frames = []
    for link in _chain(error):
        tb: TracebackType | None = link.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame)
            tb = tb.tb_next
    return frames


def _resource_at_fault(error: BaseException) -> str | None:
    """The innermost resource being registered or constructed in the failing frames, or an invoke."""
    found = None
    for frame in _frames(error):
        names = frame.f_locals
        resource = names.get("res") if frame.f_code.co_name in ("prepare_resource", "do_register") else None
        if resource is None and frame.f_code.co_name == "__init__":
            resource = names.get("self")
        label = _describe(resource)
        if label is None and frame.f_code.co_name in ("invoke", "_invoke", "invoke_async", "call"):
            token = names.get("tok") or names.get("token")
            label = f"invoke {token}" if isinstance(token, str) else None
        if label is None and frame.f_code.co_name == "RegisterResource":
            request = names.get("request")
            if request is not None and getattr(request, "type", None):
                label = f"{request.type} {request.name!r}"
        if label is not None:
            found = label
    return found


def _describe(resource: Any) -> str | None:
    if not isinstance(resource, pulumi.Resource):
        return None
    name, kind = getattr(resource, "_name", None), getattr(resource, "_type", None)
    if not name or not kind:
        return None
    parent = getattr(resource, "_parent", None)
    parent_name = getattr(parent, "_name", None)
    owner = f" (parent {parent_name!r})" if parent_name and getattr(parent, "_type", "") != "pulumi:pulumi:Stack" else ""
    return f"{kind} {name!r}{owner}"


def _program_frames(error: BaseException, limit: int = 4) -> list[str]:
    """The innermost frames of the failure that belong to the program, not to the SDK or asyncio."""
    summary = []
    for link in reversed(_chain(error)):
        for frame in traceback.extract_tb(link.__traceback__):
            path = Path(frame.filename)
            if path.is_absolute() and any(path.resolve().is_relative_to(m) for m in _MACHINERY):
                continue
            summary.append(f"{frame.filename}:{frame.lineno} in {frame.name}: {(frame.line or '').strip()}")
    return summary[-limit:]
