"""The offline preview's recorded resources, as the policy pack's rules read them, and ways to break them."""
from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Callable

from components.preview.recorder import Registration
from components.preview.runner import PreviewResult
from policy.platform_policy.model import Options, Resource, Stack
from tests.stack.conftest import stack_result

_STACKS: dict[str, Stack] = {}


def resource_of(registration: Registration) -> Resource:
    """Props are the outputs (which include the inputs), as CrossGuard's stack policies see them."""
    return Resource(type=registration.type, name=registration.name, props=registration.outputs,
                    parent=registration.parent, urn=registration.urn, dependencies=registration.dependencies,
                    options=Options(protect=registration.options.protect,
                                    delete_before_replace=registration.options.delete_before_replace))


def stack_of(result: PreviewResult) -> Stack:
    return Stack([resource_of(r) for r in result.resources])


def policy_stack(stack: str) -> Stack:
    """The dev or prod stack of this test session, as the pack sees it."""
    if stack not in _STACKS:
        _STACKS[stack] = stack_of(stack_result(stack))
    return _STACKS[stack]


def named(stack: Stack, name: str, type_suffix: str = "") -> Resource:
    found = [r for r in stack if r.name == name and r.type.endswith(type_suffix)]
    if len(found) != 1:
        raise KeyError(f"{len(found)} resources named {name!r} ({type_suffix or 'any type'})")
    return found[0]


def changed(stack: Stack, name: str, edit: Callable[[dict[str, Any]], Any], type_suffix: str = "",
            options: Options | None = None) -> Stack:
    """The stack with one resource's props edited in place on a deep copy (and its options replaced)."""
    target = named(stack, name, type_suffix)
    props = copy.deepcopy(dict(target.props))
    edit(props)
    updated = replace(target, props=props, options=options or target.options)
    return Stack([updated if r is target else r for r in stack])


def without(stack: Stack, keep: Callable[[Resource], bool]) -> Stack:
    return Stack([r for r in stack if keep(r)])


def plus(stack: Stack, *extra: Resource) -> Stack:
    return Stack([*stack, *extra])
