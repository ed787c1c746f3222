"""The function archive: layout, reproducibility, bytecode validity, fallback and cache."""

from __future__ import annotations

import _imp
import marshal
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import components.packaging.build as build_module
from components.packaging import (
    BuildError,
    InterpreterMismatchError,
    LambdaSizeLimitError,
    RuntimeTarget,
    archive_paths,
    build_function_archive,
    find_interpreter,
    read_pyc_header,
    source_digest,
)
from tests.unit.packaging.helpers import (
    CURRENT_MAGIC,
    GARBAGE_PYC,
    OTHER_RUNTIME,
    current_target,
    make_handlers_tree,
)

PYENV_312 = Path("/root/.pyenv/versions/3.12.1/bin/python")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_handlers_tree(tmp_path / "src")


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def assert_valid_bytecode(files: dict[str, bytes], cache_tag: str, magic: int) -> int:
    """Every .py has a checked-hash .pyc whose embedded hash matches the shipped source."""
    sources = [name for name in files if name.endswith(".py")]
    for name in sources:
        folder, _, filename = name.rpartition("/")
        pyc = files[f"{folder}/__pycache__/{filename[:-3]}.{cache_tag}.pyc"]
        header = read_pyc_header(pyc)
        assert header.magic == magic, name
        assert header.flags == 0b11, name
        # The key of CPython's source hash is the interpreter's raw magic number.
        raw_magic = int.from_bytes(pyc[:4], "little")
        assert header.source_hash == _imp.source_hash(raw_magic, files[name]), name
    return len(sources)


def test_two_builds_are_byte_identical_and_ignore_mtimes(tree: Path, tmp_path: Path) -> None:
    first = build_function_archive(tree, "handlers", tmp_path / "a", current_target())
    for path in tree.rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = build_function_archive(tree, "handlers", tmp_path / "b", current_target())
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256 and first.path.name == second.path.name
    assert first.path.stat().st_mode & 0o777 == 0o644  # readable by CI steps running as others


def test_a_source_change_changes_hash_and_path(tree: Path, tmp_path: Path) -> None:
    before = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    (tree / "handlers/orders/model.py").write_text("ORDER_FIELDS = ('id', 'total', 'currency')\n")
    after = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert after.sha256 != before.sha256 and after.path != before.path
    assert not after.from_cache


def test_layout_is_handlers_at_root_without_tests_caches_or_stale_bytecode(tree: Path, tmp_path: Path) -> None:
    files = entries(build_function_archive(tree, "handlers", tmp_path / "out", current_target()).path)
    assert all(name.startswith("handlers/") for name in files)
    sources = sorted(name for name in files if not name.endswith("/") and "__pycache__" not in name)
    assert sources == [
        "handlers/__init__.py",
        "handlers/orders/__init__.py",
        "handlers/orders/app.py",
        "handlers/orders/model.py",
        "handlers/tools/run.sh",
    ]
    assert GARBAGE_PYC not in files.values()
    assert all("/__pycache__/" in name for name in files if name.endswith(".pyc"))


def test_bytecode_is_checked_hash_for_the_running_interpreter(tree: Path, tmp_path: Path) -> None:
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert built.has_bytecode
    assert built.compiled_with == ".".join(map(str, sys.version_info[:3]))
    assert assert_valid_bytecode(entries(built.path), sys.implementation.cache_tag, CURRENT_MAGIC) == 4


def test_bytecode_names_the_lambda_path_not_the_build_directory(tree: Path, tmp_path: Path) -> None:
    files = entries(build_function_archive(tree, "handlers", tmp_path / "out", current_target()).path)
    pyc = files[f"handlers/orders/__pycache__/app.{sys.implementation.cache_tag}.pyc"]
    assert marshal.loads(pyc[16:]).co_filename == "/var/task/handlers/orders/app.py"


def test_the_interpreter_imports_from_the_shipped_bytecode(tree: Path, tmp_path: Path) -> None:
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    task = tmp_path / "task"
    with zipfile.ZipFile(built.path) as zf:
        zf.extractall(task)
    completed = subprocess.run(
        [sys.executable, "-v", "-c", "import handlers.orders.app as m; print(m.handler({'name': 'beta'}, None))"],
        cwd=task, capture_output=True, text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert completed.returncode == 0, completed.stderr
    assert "{'known': True}" in completed.stdout
    assert f"code object from '{task}/handlers/orders/__pycache__/app." in completed.stderr
    assert "bytecode is stale" not in completed.stderr


def test_zip_metadata_is_fixed(tree: Path, tmp_path: Path) -> None:
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    with zipfile.ZipFile(built.path) as zf:
        infos = zf.infolist()
    assert [info.filename for info in infos] == sorted(info.filename for info in infos)
    modes = {info.filename: info.external_attr >> 16 for info in infos}
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.create_system == 3 and info.extra == b"" and info.comment == b""
    assert modes["handlers/"] == stat.S_IFDIR | 0o755
    assert modes["handlers/orders/app.py"] == stat.S_IFREG | 0o644
    assert modes["handlers/tools/run.sh"] == stat.S_IFREG | 0o755  # execute bit kept


def test_sources_only_when_no_matching_interpreter(no_interpreters: None, tree: Path, tmp_path: Path) -> None:
    target = RuntimeTarget(OTHER_RUNTIME, "arm64")
    built = build_function_archive(tree, "handlers", tmp_path / "out", target)
    assert not built.has_bytecode and built.compiled_with is None
    assert "sources only" in built.note and target.env_var in built.note
    files = entries(built.path)
    assert not any(name.endswith(".pyc") or "__pycache__" in name for name in files)
    assert "handlers/orders/app.py" in files


def test_python312_bytecode_comes_from_a_python312(tree: Path, tmp_path: Path) -> None:
    """CI images carry pyenv 3.12.1; without any 3.12 the build must fall back to sources."""
    target = RuntimeTarget("python3.12", "arm64")
    interpreter = find_interpreter(target)
    if PYENV_312.exists():
        assert interpreter is not None, "pyenv has 3.12.1 but find_interpreter missed it"
    built = build_function_archive(tree, "handlers", tmp_path / "out", target)
    if interpreter is None:
        assert not built.has_bytecode and "sources only" in built.note
        assert not any(name.endswith(".pyc") for name in entries(built.path))
    else:
        assert built.has_bytecode and built.compiled_with is not None
        assert built.compiled_with.startswith("3.12.")
        assert assert_valid_bytecode(entries(built.path), "cpython-312", 3531) == 4


def test_explicit_interpreter_of_another_version_is_refused(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(InterpreterMismatchError):
        build_function_archive(tree, "handlers", tmp_path / "out", RuntimeTarget(OTHER_RUNTIME),
                               interpreter=Path(sys.executable))


def test_parent_python_variables_do_not_reach_the_compiler(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONHOME", str(tmp_path / "nowhere"))
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target(),
                                   interpreter=Path(sys.executable))
    assert built.has_bytecode


def test_a_syntax_error_in_handler_code_fails_the_build(tree: Path, tmp_path: Path) -> None:
    (tree / "handlers/orders/model.py").write_text("def broken(:\n")
    with pytest.raises(BuildError, match="handlers/orders/model.py"):
        build_function_archive(tree, "handlers", tmp_path / "out", current_target())


def test_second_build_is_served_from_the_cache(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_function_archive(tree, "handlers", tmp_path / "out", current_target())

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("cache miss: compiled again")

    monkeypatch.setattr(build_module, "compile_tree", no_compiling)
    again = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert again.from_cache and not first.from_cache
    assert again.sha256 == first.sha256 and again.note == first.note


def test_a_corrupted_cached_archive_is_rebuilt(tree: Path, tmp_path: Path) -> None:
    first = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    first.path.write_bytes(b"truncated")
    again = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert not again.from_cache and again.path.read_bytes() != b"truncated"
    assert again.sha256 == first.sha256


def test_a_cached_sources_only_archive_is_rebuilt_once_an_interpreter_exists(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "find_interpreter", lambda target: None)
    sources_only = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    monkeypatch.undo()
    rebuilt = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert not sources_only.has_bytecode
    assert rebuilt.has_bytecode and not rebuilt.from_cache and rebuilt.path == sources_only.path


def test_the_planned_path_is_the_built_path(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    planned = archive_paths(out, current_target(), requirements_text="x==1\n",
                            source_digest=source_digest(tree, "handlers"))
    built = build_function_archive(tree, "handlers", out, current_target())
    assert built.path == planned.function.resolve()


def test_an_archive_over_the_unzipped_limit_is_refused(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "LAMBDA_UNZIPPED_LIMIT", 100)
    with pytest.raises(LambdaSizeLimitError, match="at most"):
        build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert not list((tmp_path / "out").glob("*.zip"))


def test_an_archive_too_big_for_direct_upload_says_to_use_s3(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "LAMBDA_DIRECT_UPLOAD_LIMIT", 100)
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert "direct-upload limit: upload it through S3" in built.note


def test_no_temporary_files_are_left_in_the_output_directory(tree: Path, tmp_path: Path) -> None:
    built = build_function_archive(tree, "handlers", tmp_path / "out", current_target())
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(
        [built.path.name, built.path.with_suffix(".json").name])
