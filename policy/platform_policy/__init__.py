"""The platform's security and observability rules (a Pulumi CrossGuard pack; see README "Security").

`rules.RULES` are plain functions over a `model.Stack`; `crossguard` wraps them for Pulumi; the tests
run the same functions over the offline preview's recorded resources. This package imports no
Pulumi module, so the program can share `lifecycles` with it.
"""
from __future__ import annotations

from .exceptions import excused
from .model import Finding, Resource, Rule, Stack
from .rules import RULES, RULES_BY_ID


def evaluate(stack: Stack) -> dict[str, list[str]]:
    """Rule id -> violation messages, for the rules that apply to the stack's environment and failed."""
    found: dict[str, list[str]] = {}
    for rule in RULES:
        if excused(rule.id, stack.environment):
            continue
        messages = [rule.message(finding) for finding in rule.findings(stack)]
        if messages:
            found[rule.id] = messages
    return found


__all__ = ["Finding", "RULES", "RULES_BY_ID", "Resource", "Rule", "Stack", "evaluate", "excused"]
