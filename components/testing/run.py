"""Running a program, the reference platform or a few services under the platform's mocks.

Three entry points, from the most to the least of the project:

- `run_stack("dev")` runs `__main__.py` with the stack's configuration (Pulumi.yaml defaults,
  Pulumi.dev.yaml over them, per-test `overrides` over both), optionally with services added by
  `extend(platform)` just before `platform.finish()`, as a user adds them to `__main__.py`;
- `run_services(declare, "dev")` runs only the platform core, central logging and what `declare`
  adds to an empty `Platform`, with the same configuration: a new service tested on its own;
- `run_program(program, "dev")` runs any callable that creates resources (one component of your own).

Each returns a `PlatformView`. `share=True` keeps the result for the rest of the process, keyed by
the arguments, so a test session runs each distinct stack once (the pytest fixtures do this). Only
share runs whose result depends on nothing but those arguments: a test that monkeypatches what a
component reads must run its own.

A program that raises fails with one `ProgramError` naming the stack, the resource being
registered and the cause (components.testing.failure).
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.sync_await import _ensure_event_loop

from components.preview.mocks import PlatformMocks
from components.preview.recorder import RecordingMonitor
from components.preview.runner import REPO_ROOT, PreviewResult
from components.preview.runner import run_program as _run_program
from components.preview.runner import run_stack as _run_stack
from components.preview.stack_config import load_stack_config, read_project_file
from components.testing.failure import program_error
from components.testing.platform_view import PlatformView

Overrides = Mapping[str, Any]
_SHARED: dict[tuple[Any, ...], PlatformView] = {}


def config_value(value: Any) -> str:
    """A config value as the CLI hands it to the program: a string (booleans lower-case, structures as JSON)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


def qualified(overrides: Overrides | None, project: str) -> dict[str, str]:
    """`lambdaMemoryMb=512` means `<project>:lambdaMemoryMb`, as `pulumi config set` reads it."""
    return {(key if ":" in key else f"{project}:{key}"): config_value(value) for key, value in (overrides or {}).items()}


def stack_config(stack: str, overrides: Overrides | None = None, *, root: Path = REPO_ROOT) -> dict[str, str]:
    """The configuration the program sees for the stack: the files, then the overrides."""
    config, _ = load_stack_config(root, stack)
    config.update(qualified(overrides, read_project_file(root).name))
    return config


def run_stack(stack: str, *, overrides: Overrides | None = None, extend: Callable[[Any], Any] | None = None,
              root: Path = REPO_ROOT, share: bool = False) -> PlatformView:
    """The stack's program (`__main__.py`) with its configuration and `overrides`; `extend(platform)`
    adds services just before `platform.finish()`."""
    key = ("stack", root, stack, _frozen(overrides), extend)

    def run(reclaim: bool) -> PlatformView:
        config = stack_config(stack, overrides, root=root)
        return _run(stack, root, config, lambda monitor: _run_stack(
            stack, root=root, overrides=qualified(overrides, _project(root)), monitor=monitor, reclaim=reclaim,
            extend=extend))

    return _shared(key, share, run)


def run_services(declare: Callable[[Any], Any], stack: str = "dev", *, overrides: Overrides | None = None,
                 config: Mapping[str, Any] | None = None, root: Path = REPO_ROOT, share: bool = False) -> PlatformView:
    """An empty `Platform` (core and central logging), `declare(platform)`, then `platform.finish()`.

    The configuration is the stack's with `overrides`, or exactly `config` when given (every key
    fully qualified or in the project's namespace, nothing read from the stack files).
    """
    from components.platform import Platform

    def program() -> None:
        platform = Platform()
        declare(platform)
        platform.finish()

    key = ("services", root, stack, declare, _frozen(overrides), _frozen(config))
    return _shared(key, share, lambda reclaim: _program(program, stack, overrides=overrides, config=config,
                                                        root=root, reclaim=reclaim))


def run_program(program: Callable[[], Any], stack: str = "dev", *, overrides: Overrides | None = None,
                config: Mapping[str, Any] | None = None, root: Path = REPO_ROOT) -> PlatformView:
    """Any callable that creates resources, under the mocks, with the stack's configuration."""
    return _program(program, stack, overrides=overrides, config=config, root=root, reclaim=True)


# -- internals ---------------------------------------------------------------------------------------
def _project(root: Path) -> str:
    return read_project_file(root).name


def _frozen(mapping: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...] | None:
    return None if mapping is None else tuple(sorted((k, config_value(v)) for k, v in mapping.items()))


def _shared(key: tuple[Any, ...], share: bool, run: Callable[[bool], PlatformView]) -> PlatformView:
    """A shared run's garbage is frozen rather than collected (`reclaim=False`): the session keeps
    the result anyway, and a full collection of a process holding several stacks costs most of a
    second, while frozen objects are never scanned again."""
    if not share:
        return run(True)
    if key not in _SHARED:
        _SHARED[key] = run(False)
    return _SHARED[key]


def _program(program: Callable[[], Any], stack: str, *, overrides: Overrides | None, config: Mapping[str, Any] | None,
             root: Path, reclaim: bool) -> PlatformView:
    project = _project(root)
    if config is None:
        values = stack_config(stack, overrides, root=root)
    else:
        values = {**qualified(config, project), **qualified(overrides, project)}
    return _run(stack, root, values, lambda monitor: _run_program(stack, program, values, monitor=monitor,
                                                                  reclaim=reclaim, project=project))


def _run(stack: str, root: Path, config: Mapping[str, str],
         run: Callable[[RecordingMonitor], PreviewResult]) -> PlatformView:
    """The mocks answer in the configured region, so the ARNs they compute agree with the program's."""
    __tracebackhide__ = True
    monitor = RecordingMonitor(PlatformMocks(config.get("aws:region", "us-east-1")))
    with _quiet_loop() as settle:
        try:
            result = run(monitor)
        except Exception as cause:  # noqa: BLE001 - one clear error whatever the program raised
            settle()
            partial = PreviewResult(stack=stack, resources=list(monitor.registrations), outputs={})
            raise program_error(stack, cause, PlatformView(partial, root=root, ids=_ids(monitor))) from None
    return PlatformView(result, root=root, ids=_ids(monitor))


@contextlib.contextmanager
def _quiet_loop() -> Iterator[Callable[[], None]]:
    """Runs a program so that a failure is reported once, and leaves nothing behind for the next run.

    A failing program leaves the SDK's output tasks in its ambient settings and failed futures in the
    event loop. The next run would await those tasks and raise the old failure again, and the loop
    would log every future "never retrieved" as it is collected, burying the one error that matters.
    So leftover tasks are settled and dropped, and, while the run's garbage is collected, the loop
    keeps those consequential messages to itself.
    """
    loop = _ensure_event_loop()
    previous = loop.get_exception_handler()

    def handler(loop_: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if "never retrieved" in message or "destroyed but it is pending" in message:
            return
        if previous is not None:
            previous(loop_, context)
        else:
            loop_.default_exception_handler(context)

    def settle() -> None:
        """The runner has collected the run's garbage by now (under this handler); only tasks the SDK
        still holds are left, and they are collected here, if there are any, before the handler goes."""
        leftover = list(SETTINGS.outputs)
        if not leftover:
            return
        for task in leftover:
            if task.done() and not task.cancelled():
                task.exception()
            elif not task.done():
                task.cancel()
        SETTINGS.outputs.clear()
        del leftover, task
        gc.collect()

    SETTINGS.outputs.clear()
    loop.set_exception_handler(handler)
    try:
        yield settle
    finally:
        loop.set_exception_handler(previous)


def _ids(monitor: RecordingMonitor) -> dict[str, str]:
    return {urn: registration.id for urn, registration in monitor.resources.items()}
