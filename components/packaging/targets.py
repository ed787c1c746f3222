"""Lambda runtime targets and the local CPython that can compile bytecode for them.

A ``.pyc`` is only valid for the interpreter version whose magic number it carries, so bytecode
for ``python3.12`` must be written by a local CPython 3.12 (any final patch release: the magic
number is frozen from the first release candidate on). This module finds that interpreter, or
reports that there is none so the build can ship sources only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from components.packaging.errors import InterpreterMismatchError


@dataclass(frozen=True)
class _RuntimeFacts:
    """What a Lambda runtime guarantees that matters for packaging."""

    python_version: str
    # Bytecode magic number of the CPython series; a pre-release interpreter with another magic
    # would write .pyc files that Lambda's interpreter rejects (and recompiles on every cold start).
    magic: int
    # glibc of the runtime's Amazon Linux image, the newest manylinux wheel tag it can load.
    glibc_minor: int


# Lambda runtimes we can package for. python3.11 runs on Amazon Linux 2 (glibc 2.26); python3.12
# and python3.13 on Amazon Linux 2023 (glibc 2.34).
_RUNTIMES: dict[str, _RuntimeFacts] = {
    "python3.11": _RuntimeFacts("3.11", 3495, 26),
    "python3.12": _RuntimeFacts("3.12", 3531, 34),
    "python3.13": _RuntimeFacts("3.13", 3571, 34),
}
SUPPORTED_RUNTIMES: tuple[str, ...] = tuple(_RUNTIMES)
SUPPORTED_ARCHITECTURES: tuple[str, ...] = ("arm64", "x86_64")
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class RuntimeTarget:
    """The Lambda runtime and architecture an archive is built for.

    Both fields use the exact strings the Lambda API takes (``Runtime`` and ``Architectures``), so
    a component can pass them straight through to the function and layer resources.
    """

    runtime: str = "python3.12"
    architecture: str = "arm64"

    def __post_init__(self) -> None:
        problems = []
        if self.runtime not in _RUNTIMES:
            problems.append(
                f"runtime {self.runtime!r} is not supported; allowed: {', '.join(SUPPORTED_RUNTIMES)}"
            )
        if self.architecture not in SUPPORTED_ARCHITECTURES:
            problems.append(
                f"architecture {self.architecture!r} is not supported; "
                f"allowed: {', '.join(SUPPORTED_ARCHITECTURES)}"
            )
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def python_version(self) -> str:
        """``"3.12"`` for ``python3.12``: the form pip's ``--python-version`` takes."""
        return _RUNTIMES[self.runtime].python_version

    @property
    def magic_number(self) -> int:
        """The bytecode magic number (first two bytes of a .pyc, little endian) Lambda accepts."""
        return _RUNTIMES[self.runtime].magic

    @property
    def cache_tag(self) -> str:
        """``cpython-312``: the suffix of .pyc names in ``__pycache__`` for this runtime."""
        return "cpython-" + self.python_version.replace(".", "")

    @property
    def pip_platforms(self) -> tuple[str, ...]:
        """Every manylinux tag the runtime's glibc can load, newest first.

        pip only expands the legacy ``manylinux2014`` alias to older aliases, never to
        ``manylinux_2_28`` and friends, so a wheel published only with a newer tag would be
        missed (and ``--only-binary`` would then fail) unless each tag is listed.
        """
        facts = _RUNTIMES[self.runtime]
        machine = _MACHINE[self.architecture]
        tags = [f"manylinux_2_{minor}_{machine}" for minor in range(facts.glibc_minor, 16, -1)]
        tags.append(f"manylinux2014_{machine}")
        if machine == "x86_64":
            tags += ["manylinux_2_12_x86_64", "manylinux2010_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64"]
        return tuple(tags)

    @property
    def env_var(self) -> str:
        """``PLATFORM_PYTHON_3_12``: the variable that pins the interpreter for this runtime."""
        return "PLATFORM_PYTHON_" + self.python_version.replace(".", "_")


@dataclass(frozen=True)
class InterpreterInfo:
    """What a candidate interpreter reports about itself when run."""

    executable: Path
    implementation: str
    version: tuple[int, int, int]
    releaselevel: str
    magic: int

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)


_PROBE = (
    "import importlib.util, json, sys;"
    "print(json.dumps({'executable': sys.executable, 'implementation': sys.implementation.name,"
    " 'version': list(sys.version_info[:3]), 'releaselevel': sys.version_info.releaselevel,"
    " 'magic': int.from_bytes(importlib.util.MAGIC_NUMBER[:2], 'little')}))"
)


@lru_cache(maxsize=64)
def probe_interpreter(executable: str) -> InterpreterInfo | None:
    """Run ``executable`` and ask it what it is; None when it does not run.

    It is run rather than judged by its name because names lie: a pyenv shim called
    ``python3.12`` exits with an error when 3.12 is not selected, and ``python3`` can be anything.
    The answer is cached per path because the components ask once per function.
    """
    try:
        completed = subprocess.run(
            [executable, "-s", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=60,
            env=compiler_env(os.environ),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    try:
        data = json.loads(completed.stdout.strip().splitlines()[-1])
        return InterpreterInfo(
            executable=Path(data["executable"]),
            implementation=str(data["implementation"]),
            version=(int(data["version"][0]), int(data["version"][1]), int(data["version"][2])),
            releaselevel=str(data["releaselevel"]),
            magic=int(data["magic"]),
        )
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def interpreter_matches(info: InterpreterInfo, target: RuntimeTarget) -> bool:
    """Whether bytecode written by ``info`` is valid on the Lambda ``target`` runtime.

    Only a final CPython release of the same minor version with the series' magic number
    qualifies: PyPy writes a different format, and alphas and betas may carry another magic.
    """
    return (
        info.implementation == "cpython"
        and f"{info.version[0]}.{info.version[1]}" == target.python_version
        and info.releaselevel == "final"
        and info.magic == target.magic_number
    )


def compiler_env(environ: "os._Environ[str] | dict[str, str]") -> dict[str, str]:
    """The environment for a child interpreter (probe or compiler).

    ``PYTHONHOME``/``PYTHONPATH`` meant for the parent can break another CPython version, so every
    ``PYTHON*`` variable is dropped; ``PYTHONHASHSEED`` is pinned because some CPython versions
    marshal set constants in hash order, which would make bytecode differ between builds.
    """
    env = {key: value for key, value in environ.items() if not key.startswith("PYTHON")}
    env["PYTHONHASHSEED"] = "0"
    return env


def interpreter_candidates(target: RuntimeTarget) -> list[str]:
    """Where a matching interpreter is looked for, in order (after the explicit variable).

    The running interpreter comes first because it costs nothing extra, then ``pythonX.Y`` on
    PATH, then pyenv installs (newest patch first), which is where CI images keep extra versions.
    """
    name = "python" + target.python_version
    candidates = [sys.executable]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions_dir = pyenv_root / "versions"
    pattern = re.compile(re.escape(target.python_version) + r"\.(\d+)$")
    if versions_dir.is_dir():
        found = []
        for child in versions_dir.iterdir():
            match = pattern.match(child.name)
            if match:
                found.append((int(match.group(1)), child / "bin" / name))
        candidates += [str(path) for _, path in sorted(found, reverse=True) if path.exists()]
    return candidates


def find_interpreter(target: RuntimeTarget) -> Path | None:
    """A local CPython that writes bytecode valid on ``target``'s runtime, or None.

    ``PLATFORM_PYTHON_3_12`` (per version) wins when set; if it names the wrong version this
    raises :class:`InterpreterMismatchError` rather than quietly looking elsewhere.
    """
    pinned = os.environ.get(target.env_var)
    if pinned:
        info = probe_interpreter(pinned)
        if info is None or not interpreter_matches(info, target):
            what = "does not run" if info is None else (
                f"is {info.implementation} {info.version_text} ({info.releaselevel}, magic {info.magic})"
            )
            raise InterpreterMismatchError(
                f"{target.env_var}={pinned} {what}; {target.runtime} needs a final CPython "
                f"{target.python_version} release (magic {target.magic_number})"
            )
        return info.executable
    for candidate in interpreter_candidates(target):
        info = probe_interpreter(candidate)
        if info is not None and interpreter_matches(info, target):
            return info.executable
    return None


def describe_search(target: RuntimeTarget) -> str:
    """Where :func:`find_interpreter` looked, for the note of a sources-only build."""
    return (
        f"{target.env_var}, the running interpreter, python{target.python_version} on PATH and "
        f"$PYENV_ROOT/versions/{target.python_version}.*"
    )
