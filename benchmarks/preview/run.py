"""Offline preview timings: the dev stack, and synthetic stacks of 10, 50 and 100 HttpServices.

Each measurement runs in a fresh interpreter, so imports count as they would for a user, and the
median of several runs is reported. Usage: .venv/bin/python benchmarks/preview/run.py [--runs 5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = (10, 50, 100)


def synthetic(count: int) -> None:
    """Builds a stack of `count` HttpServices with the dev profile and the whole logging core."""
    from components.platform import Platform
    from components.preview.runner import run_program
    from components.preview.stack_config import load_stack_config
    from components.services.http_plan import Route
    from components.services.http_service import HttpServiceArgs, TableSpec

    config, _ = load_stack_config(ROOT, "dev")

    def program() -> None:
        platform = Platform()
        for index in range(count):
            platform.http_service(f"svc{index:03d}", HttpServiceArgs(
                handler="handlers.orders.app.handler", table=TableSpec(hash_key="id"),
                routes=[Route("POST", "/items"), Route("GET", "/items"), Route("GET", "/items/{item_id}")]))
        platform.finish()

    result = run_program("dev", program, config, reclaim=False)  # as the CLI: the process exits next
    print(json.dumps({"resources": len(result.resources)}))


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.synthetic is not None:
        sys.path.insert(0, str(ROOT))
        synthetic(args.synthetic)
        return
    rows = []
    dev = [timed(["-m", "components.preview", "dev", "--no-write"])[0] for _ in range(args.runs)]
    rows.append(("dev stack (`python -m components.preview dev`)", None, statistics.median(dev)))
    for size in SIZES:
        runs = [timed([__file__, "--synthetic", str(size)]) for _ in range(args.runs)]
        resources = json.loads(runs[0][1])["resources"]
        rows.append((f"synthetic, {size} HttpServices", resources, statistics.median(t for t, _ in runs)))
    print(f"| stack | resources | median seconds ({args.runs} runs, fresh process each) | "
          f"marginal seconds per service since the previous row |")
    print("| --- | --- | --- | --- |")
    previous: tuple[int, float] | None = None
    for (name, resources, seconds), size in zip(rows, (None, *SIZES)):
        marginal = f"{(seconds - previous[1]) / (size - previous[0]):.3f}" if previous and size else ""
        print(f"| {name} | {resources or ''} | {seconds:.2f} | {marginal} |")
        if size:
            previous = (size, seconds)


if __name__ == "__main__":
    main()
