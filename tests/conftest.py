"""The testing kit's fixtures (`dev_stack`, `prod_stack`, `with_services`, `snapshot`, ...), enabled as a user
enables them; `pytester` runs a user's test session inside a test of the kit's plugin.

`make test` spreads the suite over the machine's cores with pytest-xdist. The handler tests record the AWS
actions each handler calls, and the least-privilege test reads what they recorded in its own process, so
those run together in one worker, in collection order (handlers before policy)."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["components.testing.pytest_plugin", "pytester"]

HANDLER_TESTS = Path(__file__).resolve().parent / "handlers"
RECORDED_CALLS_GROUP = "handler-aws-calls"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        if HANDLER_TESTS in path.parents or path.name == "test_least_privilege.py":
            item.add_marker(pytest.mark.xdist_group(RECORDED_CALLS_GROUP))
