"""Fixtures for the packaging tests: an offline wheelhouse, two layer builds, an empty PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from components.packaging import build_layer_archive
from tests.unit.packaging.helpers import GARBAGE_PYC, current_target, make_wheel


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tinylib depends on tinydep and on (fake) boto3, which pulls in (fake) botocore."""
    house = tmp_path_factory.mktemp("wheelhouse")
    # Bytecode some wheels ship: for another interpreter, and a sourceless legacy .pyc.
    pyc_name = "tinylib/__pycache__/helper.cpython-39.pyc"
    make_wheel(house, "tinylib", "1.0", {
        "tinylib/__init__.py": b"from tinylib.helper import greet\n\ndef main():\n    print(greet())\n",
        "tinylib/helper.py": b"def greet():\n    return 'hi'\n",
        "tinylib/broken.py": b"print 'python 2 file shipped by a careless package'\n",
        pyc_name: GARBAGE_PYC,
        "tinylib/old.pyc": GARBAGE_PYC,
    }, requires=("tinydep", "boto3"), console_scripts={"tinylib-cli": "tinylib:main"})
    make_wheel(house, "tinydep", "2.0", {"tinydep.py": b"VALUE = 2\n"})
    # Environment markers that only the runtime's own Python version evaluates correctly.
    make_wheel(house, "markerlib", "1.0", {"markerlib.py": b""},
               requires=('newdep; python_version >= "3.12"', 'olddep; python_version < "3.12"'))
    make_wheel(house, "newdep", "1.0", {"newdep.py": b""})
    make_wheel(house, "olddep", "1.0", {"olddep.py": b""})
    make_wheel(house, "boto3", "9.9", {"boto3/__init__.py": b""}, requires=("botocore",))
    make_wheel(house, "botocore", "9.9", {"botocore/__init__.py": b"", "botocore/data/x.json": b"{}"})
    return house


@pytest.fixture(scope="session")
def layer_inputs(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    requirements = tmp_path_factory.mktemp("req") / "requirements.txt"
    requirements.write_text("tinylib==1.0\n")
    return requirements, ["--no-index", f"--find-links={wheelhouse}"]


@pytest.fixture(scope="session")
def built_layers(layer_inputs, tmp_path_factory: pytest.TempPathFactory):
    """The same layer built twice into separate output directories (so neither is a cache hit)."""
    requirements, pip_args = layer_inputs
    first = build_layer_archive(requirements, tmp_path_factory.mktemp("out1"), current_target(), pip_args=pip_args)
    second = build_layer_archive(requirements, tmp_path_factory.mktemp("out2"), current_target(), pip_args=pip_args)
    return first, second


@pytest.fixture
def no_interpreters(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment where only the running interpreter can be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    for key in list(os.environ):
        if key.startswith("PLATFORM_PYTHON_"):
            monkeypatch.delenv(key)
