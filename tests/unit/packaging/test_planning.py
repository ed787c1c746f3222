"""Planning is pure: paths follow from inputs alone, and the source digest only sees shipped files."""

from __future__ import annotations

import os
from pathlib import Path

from components.packaging import RuntimeTarget, archive_paths, source_digest
from tests.unit.packaging.helpers import make_handlers_tree

DIGEST = "ab" * 32


def plan(out: Path, runtime: str = "python3.12", arch: str = "arm64", requirements: str = "a==1\n",
         digest: str = DIGEST, pip_args: tuple[str, ...] = ()):
    return archive_paths(out, RuntimeTarget(runtime, arch), requirements_text=requirements,
                         source_digest=digest, pip_args=pip_args)


def test_planning_is_deterministic_and_touches_nothing(tmp_path: Path) -> None:
    out = tmp_path / "never-created"
    assert plan(out) == plan(out)
    assert plan(out).function.parent == out and plan(out).layer.parent == out
    assert plan(out).layer.name.startswith("layer-python3.12-arm64-")
    assert plan(out).function.name.startswith("function-handlers-python3.12-")
    assert not out.exists()


def test_each_input_moves_the_right_archive(tmp_path: Path) -> None:
    base = plan(tmp_path)
    assert plan(tmp_path, requirements="a==2\n").layer != base.layer
    assert plan(tmp_path, requirements="a==2\n").function == base.function
    assert plan(tmp_path, digest="cd" * 32).function != base.function
    assert plan(tmp_path, digest="cd" * 32).layer == base.layer
    assert plan(tmp_path, runtime="python3.13").function != base.function
    assert plan(tmp_path, runtime="python3.13").layer != base.layer
    assert plan(tmp_path, pip_args=("--no-index",)).layer != base.layer
    # Bytecode does not depend on the CPU, so both architectures share one function archive.
    assert plan(tmp_path, arch="x86_64").function == base.function
    assert plan(tmp_path, arch="x86_64").layer != base.layer


def test_line_endings_of_the_requirements_do_not_matter(tmp_path: Path) -> None:
    assert plan(tmp_path, requirements="a==1\r\nb==2\r\n").layer == plan(tmp_path, requirements="a==1\nb==2\n").layer


def test_source_digest_ignores_what_is_not_shipped_and_mtimes(tmp_path: Path) -> None:
    root = make_handlers_tree(tmp_path)
    before = source_digest(root, "handlers")
    (root / "handlers/orders/tests/test_more.py").write_text("x = 1\n")
    (root / "handlers/orders/__pycache__/model.cpython-312.pyc").write_bytes(b"junk")
    (root / "handlers/requirements.txt").write_text("other==2\n")
    for path in root.rglob("*"):
        os.utime(path, (1_600_000_000, 1_600_000_000))
    assert source_digest(root, "handlers") == before


def test_source_digest_sees_content_new_files_and_execute_bits(tmp_path: Path) -> None:
    root = make_handlers_tree(tmp_path)
    seen = {source_digest(root, "handlers")}
    (root / "handlers/orders/model.py").write_text("ORDER_FIELDS = ()\n")
    seen.add(source_digest(root, "handlers"))
    (root / "handlers/orders/extra.py").write_text("")
    seen.add(source_digest(root, "handlers"))
    (root / "handlers/orders/extra.py").chmod(0o755)
    seen.add(source_digest(root, "handlers"))
    assert len(seen) == 4
