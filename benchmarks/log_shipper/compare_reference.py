"""Throughput of this shipper vs a behavioural model of the AWS console's LogsToElasticsearch
function (Node.js 20, benchmarks/log_shipper/reference_model/), on the same direct
``awslogs`` payloads and the same local bulk endpoint.

    .venv/bin/python benchmarks/log_shipper/compare_reference.py [--events 20000]

The model is our own code written from the reference's documented behaviour, not its source;
see reference_model/handler.js for exactly what it does (one uncompressed request per
invocation, ``index`` operation, no retries).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.log_shipper.throughput import BATCH_SIZES, NoDeadLetters, bulk_endpoint, shipper_wiring  # noqa: E402
from benchmarks.log_shipper.workload import encoded_payloads  # noqa: E402
from handlers.log_shipper.events import handle_event  # noqa: E402
from handlers.log_shipper.wiring import build_shipper  # noqa: E402

MODEL = Path(__file__).resolve().parent / "reference_model" / "run.js"


def python_shipper(url: str, events: list[dict]) -> float:
    config, transport = shipper_wiring(url, "cmp")
    started = time.perf_counter()
    for event in events:
        handle_event(event, build_shipper(config, transport, NoDeadLetters()))
    return time.perf_counter() - started


def reference_model(url: str, events: list[dict], workdir: Path) -> float:
    path = workdir / "events.json"
    path.write_text(json.dumps(events))
    env = {**os.environ, "OPENSEARCH_ENDPOINT": url, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIDBENCH",
           "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
    output = subprocess.run(["node", str(MODEL), str(path)], env=env, check=True, capture_output=True, text=True,
                            timeout=600).stdout
    return float(json.loads(output)["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("node") is None:
        sys.exit("node is not installed: cannot run the reference model")
    first_id = 0
    with bulk_endpoint() as (_, url):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{'batch':>7} {'this shipper ev/s':>18} {'reference model ev/s':>21} {'ratio':>6}")
            for batch_size in BATCH_SIZES:
                total = max(args.events, batch_size)
                ours = theirs = float("inf")
                for _ in range(args.repeats):  # alternate and keep the best: the machine is shared
                    events = [{"awslogs": {"data": data}}
                              for data in encoded_payloads(total, batch_size, first_id=first_id)]
                    first_id += total  # fresh ids, so every create is a real insert
                    ours = min(ours, python_shipper(url, events))
                    theirs = min(theirs, reference_model(url, events, Path(tmp)))
                print(f"{batch_size:>7} {int(total / ours):>18,} {int(total / theirs):>21,} {theirs / ours:>6.2f}")


if __name__ == "__main__":
    main()
