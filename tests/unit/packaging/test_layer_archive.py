"""The dependency layer, built offline from hand-made wheels."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import components.packaging.build as build_module
from components.packaging import (
    BuildError,
    BuiltArchive,
    LambdaSizeLimitError,
    RuntimeTarget,
    archive_paths,
    build_layer_archive,
    check_unzipped_size,
    find_interpreter,
    read_pyc_header,
)
from tests.unit.packaging.helpers import CURRENT_MAGIC, GARBAGE_PYC, current_target

TAG = sys.implementation.cache_tag


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_layer_is_rooted_at_python(built_layers) -> None:
    files = entries(built_layers[0].path)
    assert all(name.startswith("python/") for name in files)
    assert {"python/tinylib/__init__.py", "python/tinylib/helper.py", "python/tinydep.py"} <= set(files)


def test_only_the_archive_and_its_manifest_are_left_behind(built_layers) -> None:
    out = built_layers[0].path.parent
    assert sorted(path.name for path in out.iterdir()) == sorted(
        [built_layers[0].path.name, built_layers[0].path.with_suffix(".json").name])


def test_layer_builds_are_byte_identical(built_layers) -> None:
    first, second = built_layers
    assert first.path != second.path  # two separate builds, not a cache hit
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.base64_sha256 == second.base64_sha256


def test_runtime_provided_packages_are_stripped_and_noted(built_layers) -> None:
    built = built_layers[0]
    names = entries(built.path)
    assert not any(name.startswith(("python/boto3", "python/botocore")) for name in names)
    assert "boto3 9.9" in built.note and "botocore 9.9" in built.note


def test_scripts_are_dropped_and_record_lists_only_shipped_files(built_layers) -> None:
    files = entries(built_layers[0].path)
    assert not any(name.startswith("python/bin/") for name in files)
    record = files["python/tinylib-1.0.dist-info/RECORD"].decode()
    listed = [row[0] for row in csv.reader(io.StringIO(record)) if row]
    assert "tinylib/helper.py" in listed
    assert all(f"python/{path}" in files for path in listed)


def test_layer_bytecode_is_fresh_checked_hash_and_uncompilable_files_are_noted(built_layers) -> None:
    built = built_layers[0]
    files = entries(built.path)
    assert built.has_bytecode
    assert GARBAGE_PYC not in files.values()
    for module in ("python/tinylib/__pycache__/helper", "python/tinylib/__pycache__/__init__",
                   "python/__pycache__/tinydep"):
        header = read_pyc_header(files[f"{module}.{TAG}.pyc"])
        assert header.magic == CURRENT_MAGIC and header.flags == 0b11
    assert f"python/tinylib/__pycache__/broken.{TAG}.pyc" not in files
    assert "python/tinylib/broken.py" in files and "python/tinylib/broken.py" in built.note


def test_pip_is_asked_for_runtime_wheels_without_compiling(
    layer_inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements, _ = layer_inputs
    seen: list[list[str]] = []

    def fake_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.append(command)
        return subprocess.CompletedProcess(command, 1, "", "stop here")

    monkeypatch.setattr(build_module.subprocess, "run", fake_run)
    with pytest.raises(BuildError):
        build_layer_archive(requirements, tmp_path / "out", current_target("x86_64"))
    command = " ".join(seen[-1])
    assert "--platform manylinux2014_x86_64" in command and "aarch64" not in command
    assert f"--python-version {current_target().python_version}" in command
    for flag in ("--only-binary=:all:", "--no-compile", "--implementation cp", "--target"):
        assert flag in command


def test_environment_markers_are_evaluated_for_the_runtime_python(wheelhouse: Path, tmp_path: Path) -> None:
    """pip runs under the runtime's CPython when there is one; otherwise the note warns.

    The requirement comes through ``-r``, which the note must also flag (one pip run, two checks).
    """
    target = RuntimeTarget("python3.12", "arm64")
    (tmp_path / "inner.txt").write_text("markerlib==1.0\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# shared pins\n-r inner.txt\n")
    built = build_layer_archive(requirements, tmp_path / "out", target,
                                pip_args=["--no-index", f"--find-links={wheelhouse}"])
    names = entries(built.path)
    assert "python/markerlib.py" in names
    assert "does not see files included by -r inner.txt" in built.note
    if find_interpreter(target) is not None:
        assert "python/newdep.py" in names and "python/olddep.py" not in names
        assert "markers" not in built.note
    else:
        host_is_new = sys.version_info >= (3, 12)
        assert ("python/newdep.py" in names) == host_is_new
        assert ("python/olddep.py" in names) != host_is_new
        assert host_is_new or "environment markers evaluated for Python" in built.note


def test_pip_failure_is_a_build_error_with_pips_message(wheelhouse: Path, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("doesnotexist==1.0\n")
    with pytest.raises(BuildError, match="doesnotexist"):
        build_layer_archive(requirements, tmp_path / "out", current_target(),
                            pip_args=["--no-index", f"--find-links={wheelhouse}"])


def test_cached_layer_is_reused_without_running_pip(
    built_layers, layer_inputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements, pip_args = layer_inputs
    monkeypatch.setattr(build_module.subprocess, "run", lambda *a, **k: pytest.fail("pip ran"))
    again = build_layer_archive(requirements, built_layers[0].path.parent, current_target(), pip_args=pip_args)
    assert again.from_cache and again.sha256 == built_layers[0].sha256


def test_planned_layer_path_is_the_built_path(built_layers, layer_inputs) -> None:
    requirements, pip_args = layer_inputs
    planned = archive_paths(built_layers[0].path.parent, current_target(),
                            requirements_text=requirements.read_text(), source_digest="0" * 64,
                            pip_args=pip_args)
    assert planned.layer == built_layers[0].path


def _archive(name: str, unzipped: int) -> BuiltArchive:
    return BuiltArchive(Path(name), "", "", True, "", 0, unzipped, "3.12.1")


def test_function_plus_layers_over_250_mb_is_an_error_naming_each_part() -> None:
    assert check_unzipped_size(_archive("f.zip", 10), _archive("l.zip", 20)) == 30
    with pytest.raises(LambdaSizeLimitError, match=r"l\.zip: 200\.0 MB"):
        check_unzipped_size(_archive("f.zip", 70_000_000), _archive("l.zip", 200_000_000))


def test_a_layer_over_the_limit_is_refused(
    layer_inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    requirements, pip_args = layer_inputs
    real_run = subprocess.run

    def fake_pip(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        """Installs one 1 kB module instead of running pip; everything else runs for real."""
        if "pip" not in command:
            return real_run(command, **kwargs)
        site = Path(command[command.index("--target") + 1])
        site.mkdir(parents=True)
        (site / "big.py").write_text("#" * 1000 + "\n")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(build_module.subprocess, "run", fake_pip)
    monkeypatch.setattr(build_module, "LAMBDA_UNZIPPED_LIMIT", 1000)
    with pytest.raises(LambdaSizeLimitError, match="at most"):
        build_layer_archive(requirements, tmp_path / "out", current_target(), pip_args=pip_args)
    assert not list((tmp_path / "out").glob("*.zip"))
