"""Small predicates the rules share: the stack's keys, known values, ARN parts."""
from __future__ import annotations

from typing import Any, Iterable

from ..model import Finding, Resource, Stack, is_unknown
from .resource_types import KMS_ALIAS, KMS_KEY


def stack_keys(stack: Stack) -> set[str]:
    """Every way the stack's own KMS keys can be named: ARN, key id, alias name and alias ARN."""
    names: set[str] = set()
    for key in stack.of_type(KMS_KEY):
        names |= {v for v in (key.get("arn"), key.get("keyId"), key.get("id")) if isinstance(v, str)}
    for alias in stack.of_type(KMS_ALIAS):
        names |= {v for v in (alias.get("name"), alias.get("arn")) if isinstance(v, str)}
    return names


def uses_stack_key(stack: Stack, value: Any) -> bool:
    """True for one of the stack's keys, and for a value not known until deployment."""
    return is_unknown(value) or (isinstance(value, str) and value in stack_keys(stack))


def is_true(value: Any) -> bool:
    """True, or not known yet."""
    return value is True or is_unknown(value)


def is_false(value: Any) -> bool:
    """False or absent, or not known yet."""
    return value in (False, None) or is_unknown(value)


def arn_service(arn: Any) -> str | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else None


def arn_name(arn: str) -> str:
    """The name at the end of an SQS, Lambda or SNS ARN."""
    return arn.rsplit(":", 1)[-1]


def each(resources: Iterable[Resource], problem: Any) -> Iterable[Finding]:
    """Findings for the resources where `problem(resource)` returns a description (None: compliant)."""
    for resource in resources:
        detail = problem(resource)
        if detail:
            yield Finding(resource, detail)
