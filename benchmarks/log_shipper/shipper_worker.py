"""A warm worker for the benchmark: the real Lambda entry point ``handlers.log_shipper.app.handler``
(``@instrument``, metrics and logs included), in a Lambda-like environment set by the caller.

For each line ``run <events file>`` on stdin it invokes the handler once per event in the file,
one at a time as Lambda would, and answers ``{"events", "seconds", "cpu_seconds"}`` as one JSON line
(``cpu_seconds``: this process's user + system time). Log, span
and EMF lines go to /dev/null, as the reference model's do, one system call per write as in
Lambda (``benchmarks/lambda_stdout.py``).
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks.lambda_stdout import lambda_stdout  # noqa: E402 - stdlib only


class LambdaContext:
    function_name = "platform-bench-log-shipping-shipper"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-log-shipping-shipper"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def main() -> None:
    results = sys.stdout
    sys.stdout = lambda_stdout()
    from handlers.log_shipper.app import handler

    if os.environ.get("BENCH_WITHOUT_INSTRUMENT"):  # compare_reference.py --without-instrument
        handler = handler.__wrapped__

    context = LambdaContext()
    for line in sys.stdin:
        command, _, path = line.strip().partition(" ")
        if command != "run":
            continue
        events = json.loads(Path(path).read_text())
        shipped = 0
        cpu = time.process_time()
        started = time.perf_counter()
        for event in events:
            shipped += handler(event, context)["shipped"]
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
        results.write(json.dumps({"events": shipped, "seconds": seconds, "cpu_seconds": cpu_seconds}) + "\n")
        results.flush()


if __name__ == "__main__":
    main()
