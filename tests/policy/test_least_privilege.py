"""IAM least privilege, proven: each function's role allows what its handler's code calls, and nothing broader.

What the code calls comes from the handler package's declaration (`handlers/<package>/permissions.py`),
which its moto tests verify in both directions: a test fails on an undeclared call
(tests/handlers/conftest.py), and here every declared action must have been exercised.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from components.preview.runner import REPO_ROOT
from components.resources.tables import IDEMPOTENCY_ACTIONS
from handlers.permissions import Declaration, declaration_of
from policy.platform_policy.model import Resource, Stack
from tests.handlers import aws_calls
from tests.policy.least_privilege import verdict
from tests.policy.stacks import policy_stack

HANDLER_TESTS = REPO_ROOT / "tests" / "handlers"
DECLARED = ("orders", "log_shipper", "opensearch_bootstrap", "telemetry")
#: Handler packages of the café that docs/cafe.md names and the café handlers branch is writing; each adds
#: its permissions.py (and this list shrinks) as it lands. Until then their roles are not checked here.
PENDING_PACKAGES = {"authorizer", "kitchen", "loyalty", "order_outbox", "sales_aggregate", "data_extractor",
                    "daily_report", "fulfilment", "payment_webhook", "clickstream"}
#: Variables docs/cafe.md gives a function that its handler does not use yet, and why.
PENDING_VARIABLES = {("orders", "IDEMPOTENCY_TABLE"): "docs/cafe.md gives POST /orders an Idempotency-Key store; "
                                                      "the handler adopts it on the café handlers branch"}


def handler_package(fn: Resource) -> str:
    return str(fn.get("handler")).split(".")[1]


def exercised(package: str, config: pytest.Config, session: pytest.Session) -> set[str]:
    """The actions the package's handler tests made, from this session when they all ran in it (as in
    `make test`), else from running them in a child process."""
    directory = HANDLER_TESTS / package
    ran = {item.nodeid for item in session.items if Path(str(item.path)).is_relative_to(directory)}
    selected_whole = not (config.option.keyword or config.option.markexpr or config.getoption("deselect", None))
    if ran and selected_whole and ran == aws_calls.RAN.get(package, set()):
        return aws_calls.RECORDED.get(package, set())
    return _record_in_child(directory)


def _record_in_child(directory: Path) -> set[str]:
    record = directory.parent / f".aws-calls-{os.getpid()}-{directory.name}.jsonl"
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(directory)],
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                              env={**os.environ, aws_calls.RECORD_FILE_ENV: str(record)})
        assert done.returncode == 0, f"the handler tests of {directory.name} failed:\n{done.stdout[-3000:]}"
        return {a for line in record.read_text().splitlines() for a in json.loads(line)["actions"]}
    finally:
        record.unlink(missing_ok=True)


@pytest.mark.parametrize("package", DECLARED)
def test_every_declared_action_is_exercised_by_the_handlers_moto_tests(package: str, pytestconfig: pytest.Config,
                                                                        request: pytest.FixtureRequest) -> None:
    declaration = declaration_of(package)
    assert declaration is not None
    unexercised = declaration.actions - exercised(package, pytestconfig, request.session)
    assert not unexercised, (f"handlers/{package}/permissions.py declares {sorted(unexercised)}, which no test of "
                             f"tests/handlers/{package} calls: test that path, or drop the action")


def _functions(stack: Stack) -> list[Resource]:
    return stack.of_type("aws:lambda/function:Function")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_function_role_grants_what_its_handler_declares_and_nothing_broader(stack: str) -> None:
    resources = policy_stack(stack)
    checked, problems = set(), []
    for fn in _functions(resources):
        package = handler_package(fn)
        declaration: Declaration | None = declaration_of(package)
        if declaration is None:
            continue
        pending = [variable for (owner, variable) in PENDING_VARIABLES if owner == package]
        problems += verdict(resources, fn, declaration, pending).problems
        checked.add(package)
    assert problems == []
    assert checked >= {"orders", "log_shipper", "opensearch_bootstrap"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_only_the_pending_cafe_handlers_lack_a_declaration(stack: str) -> None:
    undeclared = {handler_package(fn) for fn in _functions(policy_stack(stack))
                  if declaration_of(handler_package(fn)) is None}
    assert undeclared == PENDING_PACKAGES & undeclared, f"add handlers/<package>/permissions.py to {undeclared}"
    assert not {p for p in PENDING_PACKAGES if declaration_of(p) is not None}, \
        "a café handler landed with its permissions.py: remove it from PENDING_PACKAGES"


def test_pending_variables_are_still_pending() -> None:
    for package, variable in PENDING_VARIABLES:
        declaration = declaration_of(package)
        assert declaration is not None and variable not in declaration.iam_actions, \
            f"handlers.{package} now declares {variable}: remove it from PENDING_VARIABLES"


def test_the_idempotency_table_grant_is_what_the_telemetry_package_declares() -> None:
    telemetry = declaration_of("telemetry")
    assert telemetry is not None
    assert set(IDEMPOTENCY_ACTIONS) == set(telemetry.iam_actions["IDEMPOTENCY_TABLE"])
