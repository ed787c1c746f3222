"""How a handler package declares the AWS actions its code calls, so its role can be proven least-privilege.

Each handler package has a `permissions.py` with:

    IAM_ACTIONS = {"TABLE_NAME": ("dynamodb:GetItem", "dynamodb:PutItem")}   # env var -> IAM actions
    RUN_BY_OPERATORS = ()    # modules of the package that operators run, not Lambda (e.g. a replay tool)
    FROM_INPUT = ()          # variables whose resource arrives in the event instead of the environment

keyed by the environment variable that tells the handler where the resource is (docs/cafe.md), so
the tests can follow it to the resource in the stack. Code shared by several handlers declares its
own (`handlers/telemetry/permissions.py` for the idempotency store); a handler that uses it merges
that declaration into its own with `merged`. The tests enforce both directions: a handler test fails
on a call its package does not declare, and tests/policy/test_least_privilege.py fails on a declared
action no test exercised and on any role that grants more, or less, than the declaration on the
resources its environment names (besides what Lambda itself needs: logs, X-Ray, its event sources).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Mapping, Sequence

IamActions = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Declaration:
    package: str
    iam_actions: Mapping[str, tuple[str, ...]]
    run_by_operators: tuple[str, ...] = ()
    from_input: tuple[str, ...] = ()

    @property
    def actions(self) -> set[str]:
        return {action for actions in self.iam_actions.values() for action in actions}


def merged(*declarations: IamActions) -> dict[str, tuple[str, ...]]:
    """Several declarations as one; a variable declared twice gets the actions of both."""
    found: dict[str, set[str]] = {}
    for declaration in declarations:
        for variable, actions in declaration.items():
            found.setdefault(variable, set()).update(actions)
    return {variable: tuple(sorted(actions)) for variable, actions in found.items()}


def declaration_of(package: str) -> Declaration | None:
    """`handlers.<package>.permissions`, or None when the package declares nothing (yet)."""
    try:
        module = importlib.import_module(f"handlers.{package}.permissions")
    except ModuleNotFoundError as missing:
        if missing.name in (f"handlers.{package}.permissions", f"handlers.{package}"):
            return None
        raise
    actions = {variable: tuple(sorted(values)) for variable, values in module.IAM_ACTIONS.items()}
    bad = [a for values in actions.values() for a in values if ":" not in a or "*" in a]
    if bad:
        raise ValueError(f"handlers/{package}/permissions.py: {bad} are not named IAM actions (service:Action)")
    return Declaration(package, actions, tuple(getattr(module, "RUN_BY_OPERATORS", ())),
                       tuple(getattr(module, "FROM_INPUT", ())))
