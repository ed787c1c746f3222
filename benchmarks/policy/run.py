"""What the policy work costs: the offline preview with the replacement transformation, auditing and the
WAF against a checkout of the commit before them, and the policy pack's own run time.

Preview runs are interleaved (base, head, base, head...) in fresh interpreters, so machine noise hits
both alike; the pack is timed in-process over the recorded prod stack: the plain rules (what the tests
run) and pulumi-policy's analyzer (what `pulumi preview --policy-pack` runs).
Usage: .venv/bin/python benchmarks/policy/run.py --base <commit> [--runs 7]
"""
from __future__ import annotations

import argparse
import io
import os
import runpy
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]


def checkout(commit: str, into: Path) -> Path:
    """The files of `commit`, outside any worktree (`git archive`)."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def preview_seconds(root: Path, stack: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "components.preview", stack, "--no-write"], cwd=root, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(root)})
    return time.perf_counter() - start


def spread(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} ({min(samples):.2f}–{max(samples):.2f})"


def timed(function: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def pack_timings(runs: int) -> tuple[int, list[float], list[float]]:
    sys.path.insert(0, str(ROOT))
    import pulumi_policy
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    from policy.platform_policy import evaluate
    from tests.policy.stacks import policy_stack
    from tests.policy.test_pack_loads import request_for

    stack = policy_stack("prod")
    rules = timed(lambda: evaluate(stack), runs * 4)
    captured: dict[str, Any] = {}
    pulumi_policy.PolicyPack = lambda **kwargs: captured.update(kwargs)  # type: ignore[assignment]
    sys.path.insert(0, str(ROOT / "policy"))
    runpy.run_path(str(ROOT / "policy" / "__main__.py"), run_name="__main__")
    analyzer = _PolicyAnalyzerServicer(captured.pop("name"), "1.0.0", captured.pop("policies"),
                                       captured.pop("enforcement_level"), **captured)
    request = request_for("prod")
    crossguard = timed(lambda: analyzer.AnalyzeStack(request, None), runs)
    return len(stack.resources), rules, crossguard


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the commit to compare the preview against")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as directory:
        base = checkout(args.base, Path(directory))
        for stack in ("dev", "prod"):
            samples: dict[str, list[float]] = {"base": [], "head": []}
            for _ in range(args.runs):
                samples["base"].append(preview_seconds(base, stack))
                samples["head"].append(preview_seconds(ROOT, stack))
            print(f"| preview {stack} | {spread(samples['base'])} | {spread(samples['head'])} |")
    resources, rules, crossguard = pack_timings(args.runs)
    print(f"| rules over prod ({resources} resources), in-process | | {spread(rules)} |")
    print(f"| pulumi-policy analyzer over prod (8 stack policies) | | {spread(crossguard)} |")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
