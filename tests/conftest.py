"""The testing kit's fixtures (`dev_stack`, `prod_stack`, `with_services`, `snapshot`, ...), enabled as a user
enables them; `pytester` runs a user's test session inside a test of the kit's plugin.

`make test` spreads the suite over the machine's cores with pytest-xdist. The handler tests record the AWS
actions each handler calls, and the least-privilege test reads what a package's tests recorded in its own
process, so each package's handler tests and its least-privilege case run in one worker, in collection
order (handlers before policy); the packages themselves spread over the workers."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["components.testing.pytest_plugin", "pytester"]

HANDLER_TESTS = Path(__file__).resolve().parent / "handlers"


def _package(item: pytest.Item) -> str | None:
    path = Path(str(item.path))
    if HANDLER_TESTS in path.parents:
        relative = path.relative_to(HANDLER_TESTS).parts
        return relative[0] if len(relative) > 1 else None
    if path.name == "test_least_privilege.py":
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("package") if callspec is not None else None
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        package = _package(item)
        if package is not None:
            item.add_marker(pytest.mark.xdist_group(f"aws-calls-{package}"))
