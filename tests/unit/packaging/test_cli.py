"""``python -m components.packaging``: plan without building, build reusing the cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from components.packaging.__main__ import main
from tests.unit.packaging.helpers import CURRENT_RUNTIME, make_handlers_tree


def test_plan_prints_paths_and_builds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_handlers_tree(tmp_path / "src")
    out = tmp_path / "out"
    assert main(["plan", "--out", str(out), "--source-root", str(root), "--json"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert Path(planned["layer"]).name.startswith("layer-python3.12-arm64-")
    assert Path(planned["function"]).parent == out.resolve()
    assert not out.exists()


def test_build_prints_hashes_and_reuses_the_cache(
    built_layers, layer_inputs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements, pip_args = layer_inputs
    out = tmp_path / "out"
    # Seed the cache with the session's layer so this test does not run pip again.
    shutil.copytree(built_layers[0].path.parent, out)
    root = make_handlers_tree(tmp_path / "src")
    argv = ["build", "--out", str(out), "--source-root", str(root), "--requirements", str(requirements),
            "--runtime", CURRENT_RUNTIME, "--arch", "arm64", *[f"--pip-arg={arg}" for arg in pip_args]]

    assert main([*argv, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["layer"]["from_cache"] and not first["function"]["from_cache"]
    assert first["layer"]["sha256"] == built_layers[0].sha256
    assert first["unzipped_total_bytes"] == first["layer"]["unzipped_bytes"] + first["function"]["unzipped_bytes"]

    assert main(argv) == 0
    text = capsys.readouterr().out
    assert text.count("(cached)") == 2
    assert first["function"]["sha256"] in text and first["function"]["base64_sha256"] in text


def test_a_missing_requirements_file_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_handlers_tree(tmp_path / "src")
    code = main(["build", "--out", str(tmp_path / "out"), "--source-root", str(root),
                 "--requirements", str(tmp_path / "missing.txt")])
    assert code == 2
    assert "missing.txt" in capsys.readouterr().err
