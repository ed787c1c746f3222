"""Cold start of the shipper's Lambda entry point, against a bare boto3 handler and the
reference model, each in fresh processes, interleaved.

    .venv/bin/python benchmarks/log_shipper/cold_start.py [--runs 21]

- **Module load**: importing the handler module with its set-up, as Lambda's init phase does
  (interpreter or node start-up excluded: it is the same for every subject of a runtime).
- **First invocation**: the first call after that, with a direct ``awslogs`` event of 10 JSON
  log lines, against the local TLS bulk endpoint (so it includes the TLS handshake).
- Subjects: (a) ``benchmarks/cold_start/subjects/bare.py`` (imports boto3, creates one client, reads one
  item from a local DynamoDB stand-in per call;
  called with the same event), (b) ``handlers.log_shipper.app``, (c) the reference model.
  The environment is Lambda-like (``benchmarks/cold_start/run.py``), the repository's modules
  are compiled to checked-hash .pyc first, as the packaging ships them.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.log_shipper.bulk_endpoint import running_endpoint  # noqa: E402
from benchmarks.log_shipper.compare_reference import aws_stand_ins, reference_environment, shipper_environment  # noqa: E402
from benchmarks.log_shipper.workload import direct_events  # noqa: E402

HERE = Path(__file__).resolve().parent


def probe(command: list[str], env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
                    str(ROOT / "handlers"), str(ROOT / "benchmarks")], check=True)
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {os.cpu_count()} cores; "
          f"{args.runs} fresh processes per subject, interleaved")
    samples: dict[str, list[dict[str, float]]] = {"bare": [], "shipper": [], "reference": []}
    with running_endpoint(tls=True) as (_, url, ca_file), aws_stand_ins() as (dynamodb, daemon):
        python_env = shipper_environment(url, ca_file, dynamodb, daemon)
        python_env["PROBE_ROOT"] = str(ROOT)
        node_env = reference_environment(url, ca_file)
        for run in range(args.runs):
            event = json.dumps(direct_events(10, 10, first_id=run * 10)[0])
            python = [sys.executable, str(HERE / "cold_probe.py")]
            samples["bare"].append(probe(python + ["benchmarks.cold_start.subjects.bare", event], python_env))
            samples["shipper"].append(probe(python + ["handlers.log_shipper.app", event], python_env))
            samples["reference"].append(probe(["node", str(HERE / "reference_model" / "cold_probe.js"), event],
                                              node_env))
    bare_load = statistics.median(sample["load_ms"] for sample in samples["bare"])
    print("| subject | module load, ms, median (range) | over (a), ms | first invocation (10 events), ms, median (range) |")
    print("| --- | ---: | ---: | ---: |")
    for label, key in (("(a) bare boto3 handler", "bare"), ("(b) this shipper (handlers.log_shipper.app)", "shipper"),
                       ("(c) reference model (node)", "reference")):
        loads = [sample["load_ms"] for sample in samples[key]]
        over = f"{statistics.median(loads) - bare_load:+.1f}" if key != "reference" else ""
        print(f"| {label} | {spread(loads)} | {over} | {spread([sample['first_ms'] for sample in samples[key]])} |")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
