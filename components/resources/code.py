"""Where the function code and the shared layer come from.

Archive paths are planned from content hashes, so the program can name them without building.
Under the offline mocks nothing is built; a real `pulumi preview` or `up` builds whatever is
missing from `build/` (the layer once per pinned requirements, the code once per source change).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor

from components.packaging.planning import archive_paths, source_digest
from components.packaging.targets import RuntimeTarget
from components.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Relative to the project root, where the CLI runs the program, so the inventory is the same on every machine.
BUILD_DIR = Path("build")
REQUIREMENTS = REPO_ROOT / "handlers" / "requirements.txt"


@dataclass(frozen=True)
class FunctionCode:
    code_path: Path
    layer_path: Path

    @property
    def code_archive(self) -> pulumi.FileArchive:
        return pulumi.FileArchive(str(self.code_path))

    @property
    def layer_archive(self) -> pulumi.FileArchive:
        return pulumi.FileArchive(str(self.layer_path))


def running_under_mocks() -> bool:
    return isinstance(runtime_settings.SETTINGS.monitor, MockMonitor)


def function_code(settings: Settings) -> FunctionCode:
    target = RuntimeTarget(runtime=settings.lambda_.runtime, architecture=settings.lambda_.architecture)
    paths = archive_paths(BUILD_DIR, target, requirements_text=REQUIREMENTS.read_text(),
                          source_digest=source_digest(REPO_ROOT, "handlers"))
    code = FunctionCode(code_path=paths.function, layer_path=paths.layer)
    if not running_under_mocks():
        _build_missing(code, target)
    return code


def _build_missing(code: FunctionCode, target: RuntimeTarget) -> None:
    from components.packaging import build_function_archive, build_layer_archive

    if not (REPO_ROOT / code.layer_path).exists():
        build_layer_archive(REQUIREMENTS, REPO_ROOT / BUILD_DIR, target)
    if not (REPO_ROOT / code.code_path).exists():
        build_function_archive(REPO_ROOT, "handlers", REPO_ROOT / BUILD_DIR, target)
