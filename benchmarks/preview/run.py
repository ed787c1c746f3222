"""Offline preview timings: the dev stack, and synthetic stacks of 10, 50 and 100 HttpServices.

Each measurement runs in a fresh interpreter, so imports count as they would for a user. Every
stack is timed twice, interleaved run by run: the program alone, and the program plus what the
CLI does after it (limit checks, HTML views, alarm inventory, cost estimate), so the cost of the
`dashboards/<stack>/` files is measured against the program it follows. Medians with min-max.
Usage: .venv/bin/python benchmarks/preview/run.py [--runs 5]
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


def synthetic(count: int, files: bool) -> None:
    """Builds the dev stack (count 0) or a stack of `count` HttpServices, then its files if asked."""
    import tempfile

    from components.platform import Platform
    from components.preview.dashboard_files import write_dashboards
    from components.preview.runner import run_program, run_stack
    from components.preview.stack_config import load_stack_config
    from components.services.http_plan import Route
    from components.services.http_service import HttpServiceArgs, TableSpec

    def program() -> None:
        platform = Platform()
        for index in range(count):
            platform.http_service(f"svc{index:03d}", HttpServiceArgs(
                handler="handlers.orders.app.handler", table=TableSpec(hash_key="id"),
                routes=[Route("POST", "/items"), Route("GET", "/items"), Route("GET", "/items/{item_id}")]))
        platform.finish()

    if count == 0:
        result = run_stack("dev", reclaim=False)  # as the CLI: the process exits next
    else:
        result = run_program("dev", program, load_stack_config(ROOT, "dev")[0], reclaim=False)
    if files:
        with tempfile.TemporaryDirectory() as out:
            write_dashboards(result, Path(out), write=True)
    print(json.dumps({"resources": len(result.resources)}))


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stdout


def _cell(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} ({min(times):.2f}-{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--synthetic", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--files", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.synthetic is not None:
        sys.path.insert(0, str(ROOT))
        synthetic(args.synthetic, args.files)
        return
    print("| stack | resources | program only, s | program + views and reports, s | files add, s |")
    print("| --- | --- | --- | --- | --- |")
    for size in (0, *SIZES):
        program: list[float] = []
        with_files: list[float] = []
        resources = 0
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            seconds, out = timed([__file__, "--synthetic", str(size)])
            program.append(seconds)
            resources = json.loads(out)["resources"]
            with_files.append(timed([__file__, "--synthetic", str(size), "--files"])[0])
        name = "dev stack" if size == 0 else f"synthetic, {size} HttpServices"
        added = statistics.median(with_files) - statistics.median(program)
        print(f"| {name} | {resources} | {_cell(program)} | {_cell(with_files)} | {added:+.2f} |", flush=True)


if __name__ == "__main__":
    main()
