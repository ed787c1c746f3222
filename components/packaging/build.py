"""Build the function archive and the shared dependency layer, reproducibly and cached."""

from __future__ import annotations

import base64
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from components.packaging.archive import file_sha256, write_deterministic_zip
from components.packaging.bytecode import compile_tree, strip_bytecode
from components.packaging.errors import BuildError, InterpreterMismatchError, LambdaSizeLimitError
from components.packaging.planning import (
    DEFAULT_STRIPPED,
    RECIPE_VERSION,
    function_archive_path,
    iter_source_files,
    layer_archive_path,
    source_digest,
)
from components.packaging.targets import (
    RuntimeTarget,
    compiler_env,
    describe_search,
    find_interpreter,
    interpreter_matches,
    probe_interpreter,
)

# Lambda's hard limit on the unzipped size of a function's code plus all its layers.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
# Above this a zip cannot be uploaded directly with the API call; it must go through S3.
LAMBDA_DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024

_FUNCTION_PREFIX = "/var/task"  # where Lambda extracts function code
_LAYER_PREFIX = "/opt"  # where Lambda extracts layers; python/ under it is on sys.path


@dataclass(frozen=True)
class BuiltArchive:
    """A finished archive and what a deployment needs to know about it.

    ``base64_sha256`` is the form Lambda's ``source_code_hash`` expects. ``has_bytecode`` is False
    when no matching interpreter existed; ``note`` then says so, along with anything else that was
    changed on the way (stripped packages, files left uncompiled, upload size warnings).
    """

    path: Path
    sha256: str
    base64_sha256: str
    has_bytecode: bool
    note: str
    size_bytes: int
    unzipped_bytes: int
    compiled_with: str | None
    from_cache: bool = False


def check_unzipped_size(*archives: BuiltArchive, limit: int | None = None) -> int:
    """Total unzipped size of a function's code and layers; raise if Lambda would refuse it.

    Each build checks its own archive; call this with a function archive and all the layers the
    function uses, since the limit applies to their sum.
    """
    if limit is None:
        limit = LAMBDA_UNZIPPED_LIMIT
    total = sum(archive.unzipped_bytes for archive in archives)
    if total > limit:
        parts = ", ".join(f"{a.path.name}: {a.unzipped_bytes / 1e6:.1f} MB" for a in archives)
        raise LambdaSizeLimitError(
            f"unzipped code is {total / 1e6:.1f} MB ({parts}); Lambda allows at most "
            f"{limit / 1e6:.1f} MB for a function plus its layers. Drop dependencies from the "
            "requirements file or move large ones to a container image."
        )
    return total


def _tree_size(root: Path) -> int:
    return sum((Path(d) / f).stat().st_size for d, _, files in os.walk(root) for f in files)


def _manifest_path(archive: Path) -> Path:
    return archive.with_suffix(".json")


def _load_cached(archive: Path, bytecode_possible: bool) -> BuiltArchive | None:
    """The archive at ``archive`` if a complete, intact build of it exists.

    A sources-only build is not reused once a matching interpreter is available, so installing
    the interpreter is enough to get bytecode on the next build.
    """
    manifest = _manifest_path(archive)
    if not archive.exists() or not manifest.exists():
        return None
    try:
        data = json.loads(manifest.read_text())
        if data.get("recipe") != RECIPE_VERSION:
            return None
        built = BuiltArchive(path=archive, from_cache=True, **data["archive"])
    except (ValueError, TypeError, KeyError):
        return None
    if file_sha256(archive).hex() != built.sha256:
        return None  # truncated or edited; rebuild rather than deploy it
    if bytecode_possible and not built.has_bytecode:
        return None
    return built


def _temp_file(directory: Path, suffix: str) -> Path:
    """A fresh file next to its final name, so a concurrent build never writes into ours."""
    handle, name = tempfile.mkstemp(prefix=".partial-", suffix=suffix, dir=directory)
    os.close(handle)
    return Path(name)


def _finish(stage: Path, destination: Path, *, has_bytecode: bool, notes: list[str],
            compiled_with: str | None) -> BuiltArchive:
    """Zip ``stage`` to ``destination`` atomically and record the manifest used as the cache."""
    unzipped = _tree_size(stage)
    check_unzipped_size(
        BuiltArchive(destination, "", "", has_bytecode, "", 0, unzipped, compiled_with)
    )
    partial = _temp_file(destination.parent, ".zip")
    try:
        write_deterministic_zip(stage, partial)
        size = partial.stat().st_size
        if size > LAMBDA_DIRECT_UPLOAD_LIMIT:
            notes.append(
                f"zip is {size / 1e6:.1f} MB, over the {LAMBDA_DIRECT_UPLOAD_LIMIT / 1e6:.1f} MB "
                "direct-upload limit: upload it through S3"
            )
        digest = file_sha256(partial)
        built = BuiltArchive(
            path=destination,
            sha256=digest.hex(),
            base64_sha256=base64.b64encode(digest).decode(),
            has_bytecode=has_bytecode,
            note="; ".join(notes),
            size_bytes=size,
            unzipped_bytes=unzipped,
            compiled_with=compiled_with,
        )
        # mkstemp creates 0600; the archive is an artifact other users and CI steps must read.
        partial.chmod(0o644)
        # Concurrent builds of the same key write the same bytes, so the last replace wins harmlessly.
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    record = {k: v for k, v in asdict(built).items() if k not in ("path", "from_cache")}
    manifest_tmp = _temp_file(destination.parent, ".json")
    manifest_tmp.write_text(json.dumps({"recipe": RECIPE_VERSION, "archive": record}, indent=2) + "\n")
    manifest_tmp.chmod(0o644)
    os.replace(manifest_tmp, _manifest_path(destination))
    return built


def _resolve_interpreter(target: RuntimeTarget, interpreter: Path | None) -> tuple[Path | None, str | None]:
    """The interpreter to compile with and its version text; an explicit one must match."""
    chosen = interpreter if interpreter is not None else find_interpreter(target)
    if chosen is None:
        return None, None
    info = probe_interpreter(str(chosen))
    if info is None or not interpreter_matches(info, target):
        raise InterpreterMismatchError(
            f"{chosen} cannot write bytecode for {target.runtime} "
            f"(needs a final CPython {target.python_version} release)"
        )
    return chosen, info.version_text


def _no_interpreter_note(target: RuntimeTarget) -> str:
    return (
        f"sources only: no local CPython {target.python_version} found (looked at "
        f"{describe_search(target)}); Lambda will compile on every cold start. Install "
        f"python{target.python_version} or set {target.env_var}"
    )


def _build_staged(
    planned: Path,
    out_dir: Path,
    target: RuntimeTarget,
    compiler: Path | None,
    version: str | None,
    fill: Callable[[Path, list[str]], Path],
    *,
    top: str,
    deploy_prefix: str,
    strict: bool,
) -> BuiltArchive:
    """The build both archives share: reuse ``planned`` from the cache, or stage, compile and zip.

    ``fill(stage, notes)`` puts the archive's files under ``stage/top``, appends what it changed
    on the way to ``notes`` and returns the final archive path. The stage lives in ``out_dir`` so
    the finished zip is renamed into place on the same filesystem, and is removed whatever happens.
    """
    cached = _load_cached(planned, bytecode_possible=compiler is not None)
    if cached is not None:
        return cached

    out_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".stage-", dir=out_dir))
    try:
        notes: list[str] = []
        destination = fill(stage, notes)
        if compiler is not None:
            result = compile_tree(stage, top, deploy_prefix, compiler, target, strict=strict)
            notes.append(f"{result.compiled} checked-hash .pyc compiled with CPython {version}")
            if result.failed:  # never with strict: compile_tree raises instead
                shown = ", ".join(result.failed[:5]) + (" ..." if len(result.failed) > 5 else "")
                notes.append(f"{len(result.failed)} files do not compile and ship as source: {shown}")
        else:
            notes.append(_no_interpreter_note(target))
        return _finish(stage, destination, has_bytecode=compiler is not None, notes=notes,
                       compiled_with=version)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def build_function_archive(
    source_root: Path,
    package: str,
    out_dir: Path,
    target: RuntimeTarget,
    *,
    interpreter: Path | None = None,
) -> BuiltArchive:
    """Zip ``source_root/package`` as ``package/...`` with fresh checked-hash bytecode.

    Tests, ``__pycache__`` and any ``.pyc`` in the tree are left out; bytecode is compiled from the
    copied sources by a CPython of the runtime's version (``interpreter`` or
    :func:`find_interpreter`), or omitted, and said so in ``note``, when there is none. A source
    file that does not compile fails the build, as it would fail at import in Lambda. Returns the
    cached archive when this exact source was built before.
    """
    source_root = Path(source_root).resolve()
    out_dir = Path(out_dir).resolve()
    compiler, version = _resolve_interpreter(target, interpreter)
    planned = function_archive_path(out_dir, target, package, source_digest(source_root, package))

    def copy_sources(stage: Path, notes: list[str]) -> Path:
        for name, path in iter_source_files(source_root, package):
            copy = stage / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)  # copies the execute bit, which the archive keeps
        # Key by what was actually copied, in case the tree changed since it was hashed above.
        return function_archive_path(out_dir, target, package, source_digest(stage, package))

    return _build_staged(planned, out_dir, target, compiler, version, copy_sources,
                         top=package, deploy_prefix=_FUNCTION_PREFIX, strict=True)


def _normalize_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_infos(site: Path) -> list[tuple[str, str, Path]]:
    """``(normalized name, version, dist-info dir)`` for each installed distribution."""
    found = []
    for dist_info in sorted(site.glob("*.dist-info")):
        name = version = ""
        metadata = dist_info / "METADATA"
        if metadata.exists():
            for line in metadata.read_text(errors="replace").splitlines():
                if not line.strip():
                    break
                if line.startswith("Name:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
        found.append((_normalize_name(name), version, dist_info))
    return found


def _record_paths(dist_info: Path) -> list[str]:
    record = dist_info / "RECORD"
    if not record.exists():
        return []
    with record.open(newline="") as handle:
        return [row[0] for row in csv.reader(handle) if row]


def _strip_distributions(site: Path, names: Sequence[str]) -> list[str]:
    """Delete the named distributions' files (as listed in their RECORD); return what went."""
    wanted = {_normalize_name(name) for name in names}
    removed = []
    site_resolved = site.resolve()
    for name, version, dist_info in _dist_infos(site):
        if name not in wanted:
            continue
        for rel in _record_paths(dist_info):
            path = (site / rel).resolve()
            if path.is_relative_to(site_resolved) and path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
        removed.append(f"{name} {version}".strip())
    # Remove directories the deletions emptied, deepest first.
    for directory, _, _ in sorted(os.walk(site), key=lambda entry: -len(entry[0])):
        path = Path(directory)
        if path != site and not any(path.iterdir()):
            path.rmdir()
    return removed


def _normalize_records(site: Path) -> None:
    """Drop RECORD lines for files the build removed (scripts, stripped bytecode).

    The scripts' lines hash shebangs that name the build machine's interpreter, so keeping them
    would make the layer differ between machines; keeping lines for absent files would also make
    RECORD lie. Lines are kept byte for byte otherwise.
    """
    for dist_info in site.glob("*.dist-info"):
        record = dist_info / "RECORD"
        if not record.exists():
            continue
        kept = []
        with record.open(newline="") as handle:
            for line in handle.read().splitlines(keepends=True):
                row = next(csv.reader([line]), [])
                if row and (site / row[0]).is_file():
                    kept.append(line)
        with record.open("w", newline="") as handle:
            handle.write("".join(kept))


def _includes(requirements_text: str) -> list[str]:
    """``-r``/``-c`` lines, whose files change the layer without changing its cache key."""
    found = []
    for line in requirements_text.splitlines():
        stripped = line.strip()
        if re.match(r"^(-r|-c|--requirement|--constraint)(\s|=|$)", stripped) or re.match(r"^-[rc]\S", stripped):
            found.append(stripped)
    return found


def _pip_runner(
    compiler: Path | None, target: RuntimeTarget, scratch: Path
) -> tuple[list[str], dict[str, str], str | None]:
    """How to run pip: command prefix, environment, and a note if markers may be wrong.

    ``--python-version`` only steers wheel tags; pip evaluates environment markers such as
    ``python_version < "3.12"`` against the interpreter that runs it. So pip runs under the
    runtime's CPython when there is one, importing this environment's pip from a directory that
    holds nothing else (the pip version, and so the layer, stays the same whichever interpreter
    runs it; nothing else from this environment leaks in). Without one, pip runs here and the
    note says the markers were evaluated for the wrong version.
    """
    host = f"{sys.version_info.major}.{sys.version_info.minor}"
    if compiler is None:
        note = None
        if host != target.python_version:
            note = (f"environment markers evaluated for Python {host}, not {target.python_version}: "
                    "version-conditional dependencies may be wrong")
        return [sys.executable, "-m", "pip"], dict(os.environ), note
    import pip  # this environment's pip; pure Python, runs on any supported CPython

    only_pip = Path(tempfile.mkdtemp(prefix=".pip-", dir=scratch))
    (only_pip / "pip").symlink_to(Path(pip.__file__).parent, target_is_directory=True)
    env = compiler_env(os.environ)
    env["PYTHONPATH"] = str(only_pip)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # do not litter this environment's pip with foreign .pyc
    return [str(compiler), "-s", "-m", "pip"], env, None


def build_layer_archive(
    requirements: Path,
    out_dir: Path,
    target: RuntimeTarget,
    *,
    pip_args: Sequence[str] = (),
    strip: Sequence[str] = DEFAULT_STRIPPED,
    interpreter: Path | None = None,
) -> BuiltArchive:
    """Install ``requirements`` for ``target`` with pip and zip them under ``python/``.

    pip resolves wheels for the runtime's platform and Python version (``--only-binary=:all:``, so
    nothing is built from source on this machine), then boto3/botocore/s3transfer (``strip``)
    are removed because the runtime provides them, ``bin/`` is dropped (scripts are useless in a
    layer and their shebangs name this machine), and bytecode is compiled as for functions.
    ``pip_args`` are passed through (for example ``--no-index --find-links DIR`` for offline use);
    they are part of the cache key. Raises :class:`BuildError` if pip fails and
    :class:`LambdaSizeLimitError` if the layer alone is over Lambda's unzipped limit.
    """
    requirements = Path(requirements).resolve()
    out_dir = Path(out_dir).resolve()
    text = requirements.read_text()
    compiler, version = _resolve_interpreter(target, interpreter)
    destination = layer_archive_path(out_dir, target, text, pip_args, strip)

    def install_requirements(stage: Path, notes: list[str]) -> Path:
        site = stage / "python"
        pip_runner, pip_env, marker_note = _pip_runner(compiler, target, stage.parent)
        if marker_note:
            notes.append(marker_note)
        command = [
            *pip_runner, "install",
            "--target", str(site),
            "--implementation", "cp",
            "--python-version", target.python_version,
            "--only-binary=:all:",
            "--no-compile",
            "--disable-pip-version-check",
            "--no-input",
        ]
        for platform in target.pip_platforms:
            command += ["--platform", platform]
        command += [*pip_args, "-r", str(requirements)]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, env=pip_env)
        finally:
            if compiler is not None:
                shutil.rmtree(pip_env["PYTHONPATH"], ignore_errors=True)
        if completed.returncode != 0:
            raise BuildError(
                f"pip could not install {requirements} for {target.runtime}/{target.architecture}:\n"
                + (completed.stderr or completed.stdout).strip()
            )
        site.mkdir(exist_ok=True)
        includes = _includes(text)
        if includes:
            notes.append(f"the cache key does not see files included by {', '.join(includes)}: "
                         "inline them to make the layer's key complete")
        removed = _strip_distributions(site, strip)
        if removed:
            notes.append(f"stripped {', '.join(removed)} (provided by the Lambda runtime)")
        if (site / "bin").exists():
            shutil.rmtree(site / "bin")
            notes.append("dropped bin/ (console scripts)")
        stale = strip_bytecode(site)
        if stale:
            notes.append(f"removed {stale} .pyc shipped inside wheels")
        _normalize_records(site)
        return destination

    return _build_staged(destination, out_dir, target, compiler, version, install_requirements,
                         top="python", deploy_prefix=_LAYER_PREFIX, strict=False)


__all__ = [
    "BuiltArchive",
    "LAMBDA_DIRECT_UPLOAD_LIMIT",
    "LAMBDA_UNZIPPED_LIMIT",
    "build_function_archive",
    "build_layer_archive",
    "check_unzipped_size",
]
