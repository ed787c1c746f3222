"""Runs `__main__.py` in-process under mocks, the way `pulumi preview` would run it, minus the CLI.

`preview=False` is deliberate: with `preview=True` the runtime skips `apply` callbacks, so policies,
dashboards and names built inside them would never be seen.
"""
from __future__ import annotations

import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.preview.mocks import PlatformMocks
from components.preview.recorder import SECRET_MASK, Registration, RecordingMonitor
from components.preview.stack_config import load_stack_config
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
        return [r.as_inventory() for r in self.resources]


def run_stack(stack: str, *, root: Path = REPO_ROOT, overrides: dict[str, str] | None = None,
              program: Path | None = None) -> PreviewResult:
    """`overrides` are fully-qualified keys merged over the stack file, as `pulumi config set` would."""
    config, notes = load_stack_config(root, stack)
    config.update(overrides or {})
    secret_keys = [f"{PROJECT}:{name}" for name, key in KEYS_BY_NAME.items() if key.secret]
    region = config.get("aws:region", "us-east-1")
    monitor = RecordingMonitor(PlatformMocks(region))
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(config, secret_keys)
    outputs: dict[str, Any] = {}

    def run() -> Any:
        runpy.run_path(str(program or root / "__main__.py"), run_name="__main__")
        exported = runtime_settings.get_root_resource().outputs  # type: ignore[union-attr]
        return _resolve_outputs(exported, outputs)

    _sync_await(run_pulumi_func(run))
    return PreviewResult(stack=stack, resources=list(monitor.registrations), outputs=outputs, notes=notes)


async def _resolve_outputs(exported: dict[str, Any], into: dict[str, Any]) -> None:
    for name, value in exported.items():
        output = pulumi.Output.from_input(value)
        resolved = await output.future()
        into[name] = SECRET_MASK if await output.is_secret() else resolved
