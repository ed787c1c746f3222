"""One cold start, in this fresh interpreter: import a handler module (its set-up included), then
invoke it once with the event in argv[2]. Prints {"load_ms", "first_ms"} as one JSON line.

    python benchmarks/log_shipper/cold_probe.py <module> <event json>

Run by cold_start.py, never by hand: the environment (Lambda-like, endpoint, credentials) is its.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PROBE_ROOT", "."))
real_stdout = sys.stdout
sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the handler's log lines, as Lambda would collect them


class Context:
    function_name = "platform-bench-log-shipping-shipper"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-log-shipping-shipper"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


event = json.loads(sys.argv[2])
started = time.perf_counter()
import importlib  # noqa: E402

module = importlib.import_module(sys.argv[1])
loaded = time.perf_counter()
module.handler(event, Context())
called = time.perf_counter()
real_stdout.write(json.dumps({"load_ms": (loaded - started) * 1000, "first_ms": (called - loaded) * 1000}) + "\n")
