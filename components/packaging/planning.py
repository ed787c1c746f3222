"""Where archives go, decided from their inputs alone.

An archive's file name carries a hash of everything that determines its bytes. That gives the
Pulumi program a path to reference without building anything (offline preview and mocked tests),
and it makes the output directory a cache: if the file for this key exists, the build is done.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from components.packaging.archive import is_executable
from components.packaging.targets import RuntimeTarget

# Bump when the build recipe changes what an archive contains, so old cached archives are not
# reused for the new recipe.
RECIPE_VERSION = "2"

# Already in every Lambda Python runtime. Bundling them would shadow the runtime's copies (layers
# come first on sys.path), and bundling only some of them would pair a boto3 with a botocore it
# was not released with. s3transfer is only ever there because boto3 needs it.
DEFAULT_STRIPPED: tuple[str, ...] = ("boto3", "botocore", "s3transfer")

_EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test"})
_EXCLUDED_FILES = frozenset({"conftest.py"})


def _excluded_dir(name: str) -> bool:
    return name in _EXCLUDED_DIRS or name.startswith(".") or name.endswith(".egg-info")


def _excluded_file(name: str) -> bool:
    """Tests, bytecode, editor and OS droppings, and the layer's requirements file.

    The requirements file is the layer's input, not code: shipping it in the function archive
    would redeploy every function's code whenever only a dependency changed.
    """
    return (
        name in _EXCLUDED_FILES
        or name.startswith(".")
        or name.endswith((".pyc", ".pyo"))
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or (name.startswith("requirements") and name.endswith(".txt"))
    )


def iter_source_files(source_root: Path, package: str) -> Iterator[tuple[str, Path]]:
    """Yield ``(archive name, path)`` for every file of ``package`` that belongs in the archive.

    Sorted, so the digest and the archive never depend on directory listing order.
    """
    top = source_root / package
    if not top.is_dir():
        raise FileNotFoundError(f"package directory {top} does not exist")
    found: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(name for name in dirnames if not _excluded_dir(name))
        for filename in filenames:
            if _excluded_file(filename):
                continue
            path = Path(directory) / filename
            found.append((path.relative_to(source_root).as_posix(), path))
    yield from sorted(found)


def source_digest(source_root: Path, package: str = "handlers") -> str:
    """Hex SHA-256 of the files that go into the function archive: names, contents, execute bits.

    Modification times are deliberately not part of it, so a fresh checkout or a ``touch`` does not
    invalidate the cache; tests and bytecode in the tree are not either, since they are not shipped.
    """
    digest = hashlib.sha256()
    for name, path in iter_source_files(source_root, package):
        digest.update(name.encode() + b"\0")
        digest.update(b"x\0" if is_executable(path) else b"-\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class ArchivePaths:
    """The planned output of a build: one function archive and one layer archive."""

    function: Path
    layer: Path


def _key(payload: dict[str, object]) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def function_archive_path(out_dir: Path, target: RuntimeTarget, package: str, digest: str) -> Path:
    """Planned function archive path.

    Keyed by the runtime but not the architecture: bytecode is architecture-independent, so
    arm64 and x86_64 functions share one archive.
    """
    key = _key({"recipe": RECIPE_VERSION, "kind": "function", "runtime": target.runtime,
                "package": package, "source": digest})
    return Path(out_dir) / f"function-{package}-{target.runtime}-{key}.zip"


def layer_archive_path(
    out_dir: Path,
    target: RuntimeTarget,
    requirements_text: str,
    pip_args: Sequence[str] = (),
    strip: Sequence[str] = DEFAULT_STRIPPED,
) -> Path:
    """Planned layer archive path, keyed by target, requirements text, pip options and stripping.

    Only the requirements file's own text is keyed: keep it fully pinned and self-contained (no
    ``-r``/``-c`` includes), otherwise a cached layer may outlive a change it cannot see.
    """
    key = _key({"recipe": RECIPE_VERSION, "kind": "layer", "runtime": target.runtime,
                "architecture": target.architecture,
                "requirements": requirements_text.replace("\r\n", "\n"),
                "pip_args": list(pip_args), "strip": sorted(strip)})
    return Path(out_dir) / f"layer-{target.runtime}-{target.architecture}-{key}.zip"


def archive_paths(
    out_dir: Path,
    target: RuntimeTarget,
    *,
    requirements_text: str,
    source_digest: str,
    package: str = "handlers",
    pip_args: Sequence[str] = (),
    strip: Sequence[str] = DEFAULT_STRIPPED,
) -> ArchivePaths:
    """Where :func:`build_function_archive` and :func:`build_layer_archive` will write.

    Pure: it reads and writes nothing, so a Pulumi program can call it under mocks or in a
    preview. Pass the same ``package``, ``pip_args`` and ``strip`` the build uses.
    """
    return ArchivePaths(
        function=function_archive_path(out_dir, target, package, source_digest),
        layer=layer_archive_path(out_dir, target, requirements_text, pip_args, strip),
    )
