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
#: Every handler package, and the shared telemetry code that several of them run (the idempotency store).
DECLARED = tuple(sorted(path.parent.name for path in (REPO_ROOT / "handlers").glob("*/permissions.py")))


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
    # What a package merged from the shared telemetry code (the idempotency store) is proven by the
    # telemetry package's own tests, which exercise every path of it.
    shared = declaration_of("telemetry").iam_actions if package != "telemetry" else {}  # type: ignore[union-attr]
    own = {action for variable, actions in declaration.iam_actions.items() if variable not in shared
           for action in actions}
    unexercised = own - exercised(package, pytestconfig, request.session)
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
        problems += verdict(resources, fn, declaration, []).problems
        checked.add(package)
    assert problems == []
    assert checked == {handler_package(fn) for fn in _functions(resources)}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_function_s_handler_package_declares_its_actions(stack: str) -> None:
    undeclared = {handler_package(fn) for fn in _functions(policy_stack(stack))
                  if declaration_of(handler_package(fn)) is None}
    assert not undeclared, f"add handlers/<package>/permissions.py to {sorted(undeclared)}"
    assert {"orders", "telemetry", "fulfilment", "clickstream"} <= set(DECLARED)


def test_the_idempotency_table_grant_is_what_the_telemetry_package_declares() -> None:
    telemetry = declaration_of("telemetry")
    assert telemetry is not None
    assert set(IDEMPOTENCY_ACTIONS) == set(telemetry.iam_actions["IDEMPOTENCY_TABLE"])
