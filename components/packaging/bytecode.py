"""Compile a staged tree to checked-hash bytecode with the runtime's own CPython version.

Why checked-hash: a timestamp ``.pyc`` records the source's mtime and size, but our zips fix every
timestamp at 1980-01-01, so timestamp bytecode would never match the extracted source. Lambda's
``/var/task`` and ``/opt`` are read-only, so the interpreter would recompile every module on every
cold start and throw the result away. A checked-hash ``.pyc`` records a hash of the source
instead: it is valid whatever the timestamps, becomes invalid (never silently used) if the source
differs, and is itself deterministic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from components.packaging.archive import read_pyc_header
from components.packaging.errors import BuildError
from components.packaging.targets import RuntimeTarget, compiler_env


@dataclass(frozen=True)
class CompileResult:
    """How compilation went: ``failed`` lists sources (relative to the stage) left without a .pyc."""

    compiled: int
    failed: tuple[str, ...]


def strip_bytecode(root: Path) -> int:
    """Delete every ``__pycache__`` and stray ``.pyc``/``.pyo`` under ``root``; return how many files.

    Wheels occasionally ship bytecode; it was written by some other interpreter for some other
    source, so none of it may reach an archive.
    """
    removed = 0
    for directory, dirnames, filenames in os.walk(root):
        if "__pycache__" in dirnames:
            cache = Path(directory) / "__pycache__"
            removed += sum(len(files) for _, _, files in os.walk(cache))
            shutil.rmtree(cache)
            dirnames.remove("__pycache__")
        for filename in filenames:
            if filename.endswith((".pyc", ".pyo")):
                (Path(directory) / filename).unlink()
                removed += 1
    return removed


def compile_tree(
    stage: Path,
    top: str,
    deploy_prefix: str,
    interpreter: Path,
    target: RuntimeTarget,
    *,
    strict: bool,
) -> CompileResult:
    """Compile every ``.py`` under ``stage/top`` in place with ``interpreter``.

    ``deploy_prefix`` replaces the stage path inside the bytecode (``co_filename``), so the build
    directory does not leak into the archive and tracebacks name the path Lambda extracts to.
    With ``strict`` (our own handlers) any file that does not compile fails the build, because it
    would fail at import in Lambda too; otherwise (third-party packages, some of which ship
    templates or Python 2 files named ``.py``) such files just stay source-only.
    """
    root = stage / top
    command = [
        str(interpreter), "-s", "-m", "compileall",
        "-q", "-f", "-r", "100",
        "--invalidation-mode", "checked-hash",
        "-s", str(stage), "-p", deploy_prefix,
        str(root),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, env=compiler_env(os.environ), cwd=stage
    )
    output = (completed.stdout + completed.stderr).strip()

    compiled = 0
    failed: list[str] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if name != "__pycache__"]
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            pyc = Path(directory) / "__pycache__" / f"{filename[:-3]}.{target.cache_tag}.pyc"
            if not pyc.exists():
                failed.append((Path(directory) / filename).relative_to(stage).as_posix())
                continue
            header = read_pyc_header(pyc.read_bytes()[:16])
            if header.magic != target.magic_number or not header.is_checked_hash:
                # Never ship bytecode the runtime would reject: this means the interpreter lied
                # about its version or ignored the invalidation mode.
                raise BuildError(
                    f"{pyc.relative_to(stage)} has magic {header.magic} and flags {header.flags:#b}; "
                    f"{target.runtime} needs magic {target.magic_number} and checked-hash flags 0b11"
                )
            compiled += 1

    if strict and (completed.returncode != 0 or failed):
        raise BuildError(
            f"compiling {top} with {interpreter} failed for {', '.join(failed) or 'some files'}:\n{output}"
        )
    if completed.returncode != 0 and compiled == 0:
        raise BuildError(f"compiling {top} with {interpreter} produced no bytecode:\n{output}")
    return CompileResult(compiled=compiled, failed=tuple(failed))
