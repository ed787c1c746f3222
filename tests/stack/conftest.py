"""The stack tests read the dev and prod stacks through the testing kit, each run once per session.

`view` is the kit's `PlatformView` of the stack named by the `stack` parameter, taken from the kit's
per-stack fixtures (`dev_stack`, `prod_stack`), so these tests use the fixtures a user would.
"""
import dataclasses
import functools
import json
import os
import shutil
import subprocess
import sys

import pytest

from components.preview.runner import REPO_ROOT, PreviewResult
from components.preview.stack_config import load_stack_config
from components.settings import Settings, load_settings
from components.testing import PlatformView, run_stack


def stack_view(stack: str) -> PlatformView:
    """The stack's shared run: the same one the `<stack>_stack` fixtures hand out."""
    return run_stack(stack, share=True)


def stack_result(stack: str) -> PreviewResult:
    """The recorded result under the view, for what reads the recorder's own types (the policy pack)."""
    return stack_view(stack).result


@functools.lru_cache(maxsize=None)
def stack_settings(stack: str) -> Settings:
    """Parsed once per session: the settings are frozen, and every stack test asks for them."""
    return load_settings(stack, load_stack_config(REPO_ROOT, stack)[0])


@pytest.fixture(params=["dev", "prod"])
def stack(request) -> str:
    return request.param


@pytest.fixture
def view(stack, request) -> PlatformView:
    return request.getfixturevalue(f"{stack}_stack")


@pytest.fixture
def settings(stack) -> Settings:
    return stack_settings(stack)


@pytest.fixture
def clis_share_stack_runs(monkeypatch) -> None:
    """The preview, cost and live commands get the session's shared run of a stack when they would run it
    with its own configuration and nothing else; with overrides or another root they run it themselves.

    The commands' own work (arguments, files, output, exit codes) is what their tests exercise; running
    the same deterministic program again for each of them would only repeat the stack tests' runs.
    """
    from components.preview import __main__ as preview_cli, cost, live, runner

    def run_stack(stack: str, *, root=REPO_ROOT, overrides=None, **options):
        if root == REPO_ROOT and not overrides and options.get("extend") is None and (
                REPO_ROOT / f"Pulumi.{stack}.yaml").exists():
            return stack_result(stack)
        return runner.run_stack(stack, root=root, overrides=overrides, **options)

    for module in (preview_cli, cost, live):
        monkeypatch.setattr(module, "run_stack", run_stack)


@dataclasses.dataclass(frozen=True)
class InventoryCommand:
    """One run of the inventory command as a user types it, and the modules its process imported."""

    via_make: bool
    completed: subprocess.CompletedProcess
    modules: frozenset[str]


_RECORD_MODULES = """import atexit, json, os, sys
atexit.register(lambda: open(os.environ["PLATFORM_TEST_MODULES"], "w").write(json.dumps(sorted(sys.modules))))
"""


@pytest.fixture(scope="session")
def inventory_command(tmp_path_factory) -> InventoryCommand:
    """`make inventory STACK=dev` (or, without make and its virtualenv, the command it runs) in a fresh
    process, run once for the tests that need a process of its own: that stdout holds only the JSON, and
    that the program imports nothing the Lambda layer alone provides. The process records its modules
    at exit through a `sitecustomize` put first on its path."""
    hook = tmp_path_factory.mktemp("record-modules")
    (hook / "sitecustomize.py").write_text(_RECORD_MODULES)
    modules = hook / "modules.json"
    # As typed at a shell: not a sub-make of `make test`, which would announce its directory.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    env.update(PYTHONPATH=os.pathsep.join([str(hook), *filter(None, [env.get("PYTHONPATH")])]),
               PLATFORM_TEST_MODULES=str(modules))
    via_make = shutil.which("make") is not None and (REPO_ROOT / ".venv" / "bin" / ".installed").exists()
    command = ["make", "inventory", "STACK=dev"] if via_make else [
        sys.executable, "-m", "components.preview", "dev", "--json", "--no-write"]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return InventoryCommand(via_make, done, frozenset(json.loads(modules.read_text())))
