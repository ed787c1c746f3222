"""Runs `__main__.py` in-process under mocks, the way `pulumi preview` would run it, minus the CLI.

`preview=False` is deliberate: with `preview=True` the runtime skips `apply` callbacks, so policies,
dashboards and names built inside them would never be seen.
"""
from __future__ import annotations

import contextlib
import logging
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from components.preview.lean_sdk import lean_sdk
from components.preview.mocks import PlatformMocks
from components.preview.recorder import SECRET_MASK, Registration, RecordingMonitor
from components.preview.stack_config import load_stack_config, read_project_file
from components.settings.schema import KEYS_BY_NAME, PROJECT

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PreviewResult:
    stack: str
    resources: list[Registration]
    outputs: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources are named {name!r}")
        return matches[0]

    def inventory(self) -> list[dict[str, Any]]:
        """Sorted by name and type: the engine registers resources in whatever order their inputs
        resolve, and an inventory that reorders itself between runs would make every diff noisy."""
        return [r.as_inventory() for r in sorted(self.resources, key=lambda r: (r.name, r.type))]


def run_stack(stack: str, *, root: Path = REPO_ROOT, overrides: dict[str, str] | None = None,
              monitor: RecordingMonitor | None = None, reclaim: bool = True,
              extend: Callable[[Any], None] | None = None) -> PreviewResult:
    """`overrides` are fully-qualified keys merged over the stack file, as `pulumi config set` would.

    `extend(platform)` runs just before the program's `platform.finish()`, so a test can add services
    to the reference platform exactly as a user would add them to `__main__.py`.
    """
    config, notes = load_stack_config(root, stack)
    config.update(overrides or {})

    def program() -> None:
        with _extended(extend):
            runpy.run_path(str(root / "__main__.py"), run_name="__main__")

    result = run_program(stack, program, config, monitor=monitor, reclaim=reclaim,
                         project=read_project_file(root).name)
    result.notes[:0] = notes
    return result


@contextlib.contextmanager
def _extended(extend: Callable[[Any], None] | None) -> Iterator[None]:
    if extend is None:
        yield
        return
    from components.platform import Platform

    original = Platform.finish

    def finish(platform: Platform) -> None:
        extend(platform)
        original(platform)

    Platform.finish = finish  # type: ignore[method-assign]
    try:
        yield
    finally:
        Platform.finish = original  # type: ignore[method-assign]


def run_program(stack: str, program: Callable[[], Any], config: dict[str, str],
                monitor: RecordingMonitor | None = None, reclaim: bool = True, project: str = PROJECT) -> PreviewResult:
    """Runs any program callable under the platform mocks; component tests use it directly.

    Pass a `monitor` to inspect what was registered even when the program raises, and
    `reclaim=False` from a command that exits right after, to skip reclaiming the run's memory.
    """
    secret_keys = [f"{project}:{name}" for name, key in KEYS_BY_NAME.items() if key.secret]
    monitor = monitor or RecordingMonitor(PlatformMocks(config.get("aws:region", "us-east-1")))
    engine_log = _EngineLog()
    runtime_settings.ROOT.set(None)
    # `set_mocks` creates the root stack's futures on the thread's current loop, which `asyncio.run`
    # (in a caller's earlier test, say) leaves unset; the SDK makes one only later, too late for that.
    _ensure_event_loop()
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor,
                             logger=engine_log.logger)
    # The SDK keeps the outputs that failed in a run to re-raise them when the run ends, but `set_mocks`
    # does not renew that set: without a fresh one, a run after a failed one would fail with its error.
    runtime_settings.SETTINGS.outputs = set()
    pulumi.runtime.set_all_config(dict(config), secret_keys)
    outputs: dict[str, Any] = {}

    def run() -> Any:
        program()
        exported = runtime_settings.get_root_resource().outputs  # type: ignore[union-attr]
        return _resolve_outputs(exported, outputs)

    with lean_sdk(reclaim):
        _sync_await(run_pulumi_func(run))
    return PreviewResult(stack=stack, resources=list(monitor.registrations), outputs=outputs,
                         notes=list(engine_log.warnings))


async def _resolve_outputs(exported: dict[str, Any], into: dict[str, Any]) -> None:
    for name, value in exported.items():
        output = pulumi.Output.from_input(value)
        resolved = await output.future()
        into[name] = SECRET_MASK if await output.is_secret() else resolved


class _EngineLog(logging.Handler):
    """Keeps what the program logs at warning level (`pulumi.log.warn`) so the summary can show it."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.warnings: list[str] = []
        self.logger = logging.Logger("platform.preview.engine", level=logging.WARNING)
        self.logger.propagate = False
        self.logger.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.warnings.append(record.getMessage())
