"""Runtime targets and interpreter discovery."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from components.packaging import InterpreterMismatchError, RuntimeTarget, find_interpreter
from components.packaging.targets import compiler_env, interpreter_matches, probe_interpreter
from tests.unit.packaging.helpers import CURRENT_MAGIC, CURRENT_RUNTIME, OTHER_RUNTIME


def fake_python(path: Path, *, version: tuple[int, int, int], magic: int,
                releaselevel: str = "final", implementation: str = "cpython") -> Path:
    """A shell script that answers the probe like an interpreter of ``version`` would."""
    answer = json.dumps({"executable": str(path), "implementation": implementation,
                         "version": list(version), "releaselevel": releaselevel, "magic": magic})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{answer}'\n")
    path.chmod(0o755)
    return path


def broken_shim(path: Path) -> Path:
    """Like a pyenv shim for a version that is installed but not selected: exits with an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    path.chmod(0o755)
    return path


def test_invalid_target_reports_every_problem_with_allowed_values() -> None:
    with pytest.raises(ValueError) as error:
        RuntimeTarget("python3.9", "sparc")
    message = str(error.value)
    assert "'python3.9'" in message and "python3.12" in message
    assert "'sparc'" in message and "arm64" in message


def test_pip_platforms_cover_the_runtime_glibc_and_only_its_architecture() -> None:
    arm = RuntimeTarget("python3.12", "arm64").pip_platforms
    assert arm[0] == "manylinux_2_34_aarch64"  # Amazon Linux 2023
    assert "manylinux2014_aarch64" in arm and "manylinux_2_28_aarch64" in arm
    assert not any("x86_64" in tag for tag in arm)
    x86 = RuntimeTarget("python3.11", "x86_64").pip_platforms
    assert x86[0] == "manylinux_2_26_x86_64"  # Amazon Linux 2
    assert "manylinux_2_28_x86_64" not in x86
    assert "manylinux1_x86_64" in x86 and "manylinux2014_x86_64" in x86


def test_target_facts_for_pip_and_bytecode_names() -> None:
    target = RuntimeTarget("python3.12", "x86_64")
    assert (target.python_version, target.cache_tag, target.env_var) == (
        "3.12", "cpython-312", "PLATFORM_PYTHON_3_12")


def test_magic_number_table_matches_the_running_interpreter() -> None:
    assert RuntimeTarget(CURRENT_RUNTIME).magic_number == CURRENT_MAGIC


def test_running_interpreter_is_found_for_its_own_runtime(no_interpreters: None) -> None:
    found = find_interpreter(RuntimeTarget(CURRENT_RUNTIME))
    assert found is not None
    info = probe_interpreter(str(found))
    assert info is not None and info.version[:2] == sys.version_info[:2]


def test_nothing_found_for_another_version_in_an_empty_environment(no_interpreters: None) -> None:
    assert find_interpreter(RuntimeTarget(OTHER_RUNTIME)) is None


def test_path_is_searched_and_failing_shims_are_skipped(
    no_interpreters: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = RuntimeTarget("python3.13")
    shim_dir, real_dir = tmp_path / "shims", tmp_path / "real"
    broken_shim(shim_dir / "python3.13")
    fake_python(real_dir / "python3.13", version=(3, 13, 2), magic=3571)
    monkeypatch.setenv("PATH", f"{shim_dir}:{real_dir}")
    # which() returns the first match, the broken shim, so nothing is found on PATH ...
    assert find_interpreter(target) is None
    monkeypatch.setenv("PATH", str(real_dir))
    assert find_interpreter(target) == real_dir / "python3.13"


def test_newest_pyenv_patch_release_wins(no_interpreters: None, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "pyenv"
    fake_python(root / "versions/3.13.1/bin/python3.13", version=(3, 13, 1), magic=3571)
    fake_python(root / "versions/3.13.10/bin/python3.13", version=(3, 13, 10), magic=3571)
    fake_python(root / "versions/3.12.9/bin/python3.12", version=(3, 12, 9), magic=3531)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    assert find_interpreter(RuntimeTarget("python3.13")) == root / "versions/3.13.10/bin/python3.13"


def test_prereleases_other_magic_and_other_implementations_are_rejected(
    no_interpreters: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "pyenv"
    fake_python(root / "versions/3.13.1/bin/python3.13", version=(3, 13, 0), magic=3571, releaselevel="beta")
    fake_python(root / "versions/3.13.2/bin/python3.13", version=(3, 13, 2), magic=3570)
    fake_python(root / "versions/3.13.3/bin/python3.13", version=(3, 13, 3), magic=3571, implementation="pypy")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    assert find_interpreter(RuntimeTarget("python3.13")) is None


def test_pinned_variable_wins_and_a_wrong_pin_is_an_error(
    no_interpreters: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinned = fake_python(tmp_path / "pinned/python", version=(3, 13, 5), magic=3571)
    monkeypatch.setenv("PLATFORM_PYTHON_3_13", str(pinned))
    assert find_interpreter(RuntimeTarget("python3.13")) == pinned
    wrong = fake_python(tmp_path / "wrong/python", version=(3, 12, 5), magic=3531)
    monkeypatch.setenv("PLATFORM_PYTHON_3_13", str(wrong))
    with pytest.raises(InterpreterMismatchError, match="PLATFORM_PYTHON_3_13=.*3.12.5"):
        find_interpreter(RuntimeTarget("python3.13"))


def test_interpreter_matches_needs_same_minor_version() -> None:
    info = probe_interpreter(sys.executable)
    assert info is not None
    assert interpreter_matches(info, RuntimeTarget(CURRENT_RUNTIME))
    assert not interpreter_matches(info, RuntimeTarget(OTHER_RUNTIME))


def test_child_interpreter_environment_drops_python_variables_and_pins_hash_seed() -> None:
    env = compiler_env({"PATH": "/bin", "PYTHONHOME": "/x", "PYTHONPATH": "/y", "PYTHONHASHSEED": "random"})
    assert env == {"PATH": "/bin", "PYTHONHASHSEED": "0"}
