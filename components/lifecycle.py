"""Applies the replacement and protection rule of each resource type to every resource of the stack.

The rule itself, and why, is in `policy/platform_policy/lifecycles.py`, shared with the policy pack
that checks it (docs/conventions.md, "Replacement and protection"). In short: data never goes first
(`delete_before_replace=False`, and `protect` in stacks that protect data); named configuration and
per-parent settings are deleted before they are replaced, so a replacement can neither collide on a
name nor overwrite a setting and then delete it.
"""
from __future__ import annotations

from typing import Any

import pulumi

from policy.platform_policy.lifecycles import LIFECYCLES, Lifecycle, expected_delete_before_replace


class UnclassifiedResourceType(ValueError):
    pass


def lifecycle_of(type_token: str) -> Lifecycle:
    try:
        return LIFECYCLES[type_token]
    except KeyError:
        raise UnclassifiedResourceType(
            f"resource type {type_token} has no replacement rule; add it to policy/platform_policy/lifecycles.py "
            "(see docs/conventions.md, 'Replacement and protection')") from None


def replacement_options(type_token: str, *, protect_data: bool) -> dict[str, Any]:
    """The options a resource of this type is registered with; {} for component resources."""
    if not type_token.startswith("aws:"):
        return {}
    lifecycle = lifecycle_of(type_token)
    options: dict[str, Any] = {}
    delete_first = expected_delete_before_replace(lifecycle)
    if delete_first is not None:
        options["delete_before_replace"] = delete_first
    if lifecycle is Lifecycle.STATEFUL and protect_data:
        options["protect"] = True
    return options


def transformation(protect_data: bool) -> Any:
    """A stack transformation that applies `replacement_options`, leaving an explicit choice alone.

    A transformation runs in the SDK before registration (so the offline preview sees it too) and keeps
    the decision in one place instead of in every `ResourceOptions` of every component.
    """
    def apply(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        wanted = replacement_options(args.type_, protect_data=protect_data)
        changes = {key: value for key, value in wanted.items() if getattr(args.opts, key) is None}
        if not changes:
            return None
        return pulumi.ResourceTransformationResult(
            args.props, pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(**changes)))
    return apply


def register(protect_data: bool) -> None:
    """Call once per stack, before its first resource is created."""
    pulumi.runtime.register_stack_transformation(transformation(protect_data))
