"""The offline preview against its peer, AWS CDK + cdk-monitoring-constructs, on equal services.

For each size, ours is the synthetic stack of `run.py` (N HttpServices, each a function, a REST API
with three routes and a table, with their alarms and dashboard, plus the platform core and central
logging) previewed with its files written, as `python -m components.preview` does; the peer is
`cdk_peer/app.js`, which synthesises the same services with CDK and cdk-monitoring-constructs,
split into stacks of 10 (see its header). Both run as whole processes, from a fresh interpreter
and a fresh node, imports and module loading included, as a user pays them.

Runs are paired and interleaved: each round times every size once on each side, alternating which
side goes first, so machine noise hits both alike. Per size it reports each side's median wall
time with its range, the ratio of the medians and the median and range of the per-pair ratios
(peer / ours), the CPU time each process used (user + system, which moves less than wall time on a
shared machine), and each side's median peak resident memory.

With `--before DIR` (a checkout of an earlier commit, e.g. `git archive <commit> | tar -x -C DIR`,
run with this virtualenv), that tree's preview is timed in the same rounds too, so the table also
shows what a change did.

Usage: .venv/bin/python benchmarks/preview/peer.py [--runs 5] [--sizes 1,10,25,50,100,200] [--before DIR]
                                                  [--json out.json]
The peer is installed from the npm registry on first use (`npm ci` in benchmarks/preview/cdk_peer).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
PEER = Path(__file__).resolve().parent / "cdk_peer"
SIZES = (1, 10, 25, 50, 100, 200)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float
    resources: int


@dataclass
class Side:
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)

    def spread(self, attribute: str) -> tuple[float, float]:
        values = [getattr(run, attribute) for run in self.runs]
        return min(values), max(values)


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time, CPU time and peak resident memory of one process (`wait4` reports them per child)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    resources = json.loads(stdout.strip().splitlines()[-1])["resources"]
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_mib=usage.ru_maxrss / 1024, resources=resources)


def ours(size: int, root: Path = ROOT) -> Run:
    return measure([sys.executable, str(root / "benchmarks/preview/run.py"), "--synthetic", str(size), "--files"], root)


def peer(size: int) -> Run:
    out = Path(tempfile.mkdtemp(prefix="cdk-peer-"))
    try:
        return measure(["node", str(PEER / "app.js"), str(size), str(out)], PEER)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def install_peer() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        sys.exit("the peer needs node and npm on PATH")
    if not (PEER / "node_modules").is_dir():
        print("installing the peer from the npm registry (npm ci)...", file=sys.stderr)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PEER, check=True)


def versions() -> str:
    lock = json.loads((PEER / "package-lock.json").read_text())["packages"]
    peers = ", ".join(f"{name} {lock[f'node_modules/{name}']['version']}"
                      for name in ("aws-cdk-lib", "constructs", "cdk-monitoring-constructs"))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return f"Python {sys.version.split()[0]}, node {node}, {peers}"


def _range(side: Side, attribute: str, digits: int = 2) -> str:
    low, high = side.spread(attribute)
    return f"{side.median(attribute):.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def table(results: dict[int, dict[str, Side]]) -> str:
    before = any("before" in sides for sides in results.values())
    lines = ["| services | resources, ours / peer | ours, s | peer, s | ratio of medians | per-pair ratio, median (range) "
             "| CPU s, ours / peer (ratio) | peak MiB, ours / peer |" + (" before, s | before, peak MiB |" if before else ""),
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" + (" ---: | ---: |" if before else "")]
    for size, sides in results.items():
        mine, theirs = sides["ours"], sides["peer"]
        pairs = [p.wall / m.wall for m, p in zip(mine.runs, theirs.runs)]
        cpu_mine, cpu_theirs = mine.median("cpu"), theirs.median("cpu")
        lines.append(
            f"| {size} | {mine.runs[0].resources} / {theirs.runs[0].resources} | {_range(mine, 'wall')} "
            f"| {_range(theirs, 'wall')} | {theirs.median('wall') / mine.median('wall'):.2f}× "
            f"| {statistics.median(pairs):.2f}× ({min(pairs):.2f}–{max(pairs):.2f}) "
            f"| {cpu_mine:.2f} / {cpu_theirs:.2f} ({cpu_theirs / cpu_mine:.2f}×) "
            f"| {mine.median('peak_mib'):.0f} / {theirs.median('peak_mib'):.0f} |"
            + (f" {_range(sides['before'], 'wall')} | {sides['before'].median('peak_mib'):.0f} |" if before else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--before", type=Path, help="an earlier tree whose preview is timed in the same rounds")
    parser.add_argument("--json", type=Path, help="also write every run here")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    install_peer()
    print(versions(), file=sys.stderr)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    subjects: dict[str, Callable[[int], Run]] = {"ours": ours, "peer": peer}
    if args.before:
        subjects["before"] = functools.partial(ours, root=args.before.resolve())
    for subject in subjects.values():
        subject(sizes[0])  # warm-up, discarded: disk caches and compiled bytecode
    results = {size: {name: Side() for name in subjects} for size in sizes}
    names = list(subjects)
    for round_ in range(args.runs):
        order = names[round_ % len(names):] + names[:round_ % len(names)]  # each side goes first in turn
        for size in sizes:
            for name in order:
                results[size][name].runs.append(subjects[name](size))
        print(f"round {round_ + 1}/{args.runs} done, load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    print(table(results))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps({str(size): {name: [run.__dict__ for run in side.runs] for name, side in sides.items()}
                                         for size, sides in results.items()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
