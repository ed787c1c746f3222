"""Every handler test records the AWS actions the handler's code calls; an undeclared one fails the test.

A handler package declares its actions in `handlers/<package>/permissions.py` (see
`handlers/permissions.py`); the roles the components give its functions are checked against that
declaration in tests/policy/test_least_privilege.py.
"""
from __future__ import annotations


from pathlib import Path
from typing import Iterator

import pytest

from handlers.permissions import Declaration, declaration_of
from tests.handlers.aws_calls import recording, remember

HANDLER_TESTS = Path(__file__).resolve().parent


def _package(path: Path) -> str | None:
    try:
        relative = path.resolve().relative_to(HANDLER_TESTS)
    except ValueError:
        return None
    return relative.parts[0] if len(relative.parts) > 1 else None


@pytest.fixture(autouse=True)
def declared_aws_actions(request: pytest.FixtureRequest) -> Iterator[None]:
    package = _package(Path(str(request.node.path)))
    declaration: Declaration | None = declaration_of(package) if package else None
    if package is None or declaration is None:
        yield
        return
    with recording(declaration.run_by_operators) as by_package:
        yield
    # The package's own calls, plus the shared telemetry code's calls made on its behalf.
    actions = by_package.get(package, set()) | by_package.get("telemetry", set())
    remember(package, request.node.nodeid, actions)
    undeclared = sorted(actions - declaration.actions)
    if undeclared:
        pytest.fail(f"handlers.{package} called {undeclared}, which handlers/{package}/permissions.py does not "
                    "declare; declare each action under the environment variable that names its resource, so "
                    "the function's role can be checked against it", pytrace=False)



