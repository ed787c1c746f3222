"""How long the shipper holds on to an endpoint that refuses every request (429 to everything),
with the shipped retry schedule (0.2 s base, 5 s cap, 8 rounds) and real sleeps.

    .venv/bin/python benchmarks/log_shipper/outage.py [--payloads 2]

Each payload is delivered the way Lambda's asynchronous invocation does it on the direct path:
three invocations (the first and two retries), each with 60 s left. Measured twice, in two fresh
processes: with the outage budget switched off (``SHIPPER_OUTAGE_BUDGET_MS`` huge, which is the
behaviour before it existed) and with the default budget. Prints the seconds each invocation
held, and the total per payload. Afterwards the endpoint recovers and one more invocation
shows that everything left pending ships.
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

from benchmarks.log_shipper.bulk_endpoint import command, running_endpoint  # noqa: E402
from benchmarks.log_shipper.compare_reference import aws_stand_ins, shipper_environment  # noqa: E402

ATTEMPTS_PER_PAYLOAD = 3  # an asynchronous invocation and Lambda's two retries

RUN = r"""
import json, os, sys, time
sys.path.insert(0, os.environ["PROBE_ROOT"])
from benchmarks.lambda_stdout import lambda_stdout
results = sys.stdout
sys.stdout = lambda_stdout()
from benchmarks.log_shipper.shipper_worker import LambdaContext
from benchmarks.log_shipper.workload import direct_events
from handlers.log_shipper.app import handler
from handlers.log_shipper.events import IncompleteShipmentError
payloads, attempts = int(sys.argv[1]), int(sys.argv[2])
held = []
for event in direct_events(payloads * 10, 10, first_id=int(sys.argv[3])):
    for _ in range(attempts):
        started = time.perf_counter()
        try:
            handler(event, LambdaContext())
            outcome = "shipped"
        except IncompleteShipmentError:
            outcome = "left to Lambda"
        held.append((time.perf_counter() - started, outcome))
results.write(json.dumps(held) + "\n")
results.flush()
input()  # the endpoint recovers now
started = time.perf_counter()
response = handler(direct_events(10, 10, first_id=int(sys.argv[3]))[0], LambdaContext())
results.write(json.dumps([time.perf_counter() - started, response]) + "\n")
"""


def measure(process: subprocess.Popen[str], env: dict[str, str], payloads: int, first_id: int) -> None:
    command(process, "refuse 429")
    run = subprocess.Popen([sys.executable, "-c", RUN, str(payloads), str(ATTEMPTS_PER_PAYLOAD), str(first_id)],
                           cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert run.stdin is not None and run.stdout is not None
    held = json.loads(run.stdout.readline())
    command(process, "recover")
    run.stdin.write("\n")
    run.stdin.flush()
    after, response = json.loads(run.stdout.readline())
    run.wait(timeout=60)
    seconds = [entry[0] for entry in held]
    per_payload = [sum(seconds[i:i + ATTEMPTS_PER_PAYLOAD]) for i in range(0, len(seconds), ATTEMPTS_PER_PAYLOAD)]
    print(f"  each invocation held (s): {', '.join(f'{s:.3f}' for s in seconds)}")
    print(f"  per invocation: median {statistics.median(seconds):.3f} s, max {max(seconds):.3f} s; "
          f"per payload over {ATTEMPTS_PER_PAYLOAD} attempts: {', '.join(f'{s:.2f}' for s in per_payload)} s")
    print(f"  after recovery: {response} in {after * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--payloads", type=int, default=2)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with running_endpoint(tls=True) as (process, url, ca_file), aws_stand_ins() as (dynamodb, daemon):
        for label, budget in (("without the outage budget (the old behaviour)", str(10**9)),
                              ("with the default outage budget (3,000 ms)", None)):
            env = shipper_environment(url, ca_file, dynamodb, daemon)
            env["PROBE_ROOT"] = str(ROOT)
            if budget:
                env["SHIPPER_OUTAGE_BUDGET_MS"] = budget
            print(label)
            measure(process, env, args.payloads, first_id=0 if budget else 10**6)


if __name__ == "__main__":
    main()
