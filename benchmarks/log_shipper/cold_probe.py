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
from benchmarks.lambda_stdout import lambda_stdout  # noqa: E402 - light: stdlib only
from benchmarks.log_shipper.shipper_worker import LambdaContext  # noqa: E402
real_stdout = sys.stdout
sys.stdout = lambda_stdout()  # the handler's log lines, written as in Lambda


event = json.loads(sys.argv[2])
started = time.perf_counter()
import importlib  # noqa: E402

module = importlib.import_module(sys.argv[1])
loaded = time.perf_counter()
module.handler(event, LambdaContext())
called = time.perf_counter()
real_stdout.write(json.dumps({"load_ms": (loaded - started) * 1000, "first_ms": (called - loaded) * 1000}) + "\n")
