"""Pytest fixtures for the testing kit; enable them in your conftest.py:

    pytest_plugins = ["components.testing.pytest_plugin"]

Fixtures (all session-scoped: each distinct run happens once per test session and is shared,
so define the `declare` functions you pass at module level, where they keep their identity):

- `<stack>_stack` for every `Pulumi.<stack>.yaml` of the project (`dev_stack`, `prod_stack`): the
  stack's program with its configuration;
- `stack_run(stack, overrides=None, extend=None)`: any stack with per-test config overrides;
- `with_services(declare, stack="dev", overrides=None)`: the reference platform with the services
  `declare(platform)` adds, as if they were written in `__main__.py`;
- `services_run(declare, stack="dev", overrides=None, config=None)`: the declared services alone on
  the platform core;
- `snapshot`: `snapshot.assert_match(view)` compares the stack's inventory with
  `tests/snapshots/<stack>.json` (the `testkit_snapshots` ini option moves it); run pytest with
  `--update-snapshots` to write the files.

Nothing heavy is imported until a fixture is used, so enabling the plugin costs a test run that
does not use it nothing.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="write the stack inventory snapshots instead of comparing with them")
    parser.addini("testkit_snapshots", "directory of the stack inventory snapshots, relative to the rootdir",
                  default="tests/snapshots")


def _stack_fixture(stack: str) -> Any:
    def fixture() -> Any:
        from components.testing import run_stack

        return run_stack(stack, root=PROJECT_ROOT, share=True)

    fixture.__doc__ = f"The {stack} stack's program with its configuration, run once per session."
    return pytest.fixture(scope="session", name=f"{re.sub(r'[^0-9a-zA-Z_]', '_', stack)}_stack")(fixture)


for _file in sorted(PROJECT_ROOT.glob("Pulumi.*.yaml")):
    _stack = _file.name[len("Pulumi."):-len(".yaml")]
    globals()[f"_fixture_{_stack}"] = _stack_fixture(_stack)


@pytest.fixture(scope="session")
def stack_run() -> Callable[..., Any]:
    """`stack_run(stack, overrides=None, extend=None)`: a stack run, shared by every test that asks the same."""
    from components.testing import run_stack

    def run(stack: str, overrides: dict[str, Any] | None = None, extend: Callable[[Any], Any] | None = None) -> Any:
        return run_stack(stack, overrides=overrides, extend=extend, root=PROJECT_ROOT, share=True)

    return run


@pytest.fixture(scope="session")
def with_services() -> Callable[..., Any]:
    """`with_services(declare, stack="dev", overrides=None)`: the reference platform plus your services."""
    from components.testing import run_stack

    def run(declare: Callable[[Any], Any], stack: str = "dev", overrides: dict[str, Any] | None = None) -> Any:
        return run_stack(stack, overrides=overrides, extend=declare, root=PROJECT_ROOT, share=True)

    return run


@pytest.fixture(scope="session")
def services_run() -> Callable[..., Any]:
    """`services_run(declare, stack="dev", overrides=None, config=None)`: your services on the core alone."""
    from components.testing import run_services

    def run(declare: Callable[[Any], Any], stack: str = "dev", overrides: dict[str, Any] | None = None,
            config: dict[str, Any] | None = None) -> Any:
        return run_services(declare, stack, overrides=overrides, config=config, root=PROJECT_ROOT, share=True)

    return run


@pytest.fixture(scope="session")
def snapshot(pytestconfig: pytest.Config) -> Any:
    """The inventory snapshots; `--update-snapshots` writes them."""
    from components.testing.snapshot import Snapshots

    directory = Path(pytestconfig.rootpath) / str(pytestconfig.getini("testkit_snapshots"))
    return Snapshots(directory, update=bool(pytestconfig.getoption("--update-snapshots")))
