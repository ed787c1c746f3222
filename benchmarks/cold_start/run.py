"""Cold start and warm overhead of handler observability, measured side by side.

    .venv/bin/python benchmarks/cold_start/run.py [--runs 15] [--rounds 15] [--calls 500]

Cold: every subject module is imported in a fresh interpreter (runs interleaved across
subjects so machine noise hits all of them alike), under a Lambda-like environment, after
compiling the repository's modules to checked-hash .pyc files as the packaging does. The
clock starts just before the handler module import (interpreter start-up is the same for
all subjects and is excluded) and "init" ends when the module is loaded; "first call" is the
first invocation after it. Warm: one process calls each handler many times with stdout
sent to a null sink; the median over rounds of the mean time per call is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = "benchmarks.cold_start.subjects"
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"

# (label, module, extra environment)
COLD_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("(a) bare: boto3 + one client", "bare", {}),
    ("(a') bare + gc.freeze() after import boto3", "bare_gc_frozen", {}),
    ("(b) + handlers.telemetry @instrument", "telemetry", {}),
    ("(b) same, TELEMETRY_GC_FREEZE=off", "telemetry", {"TELEMETRY_GC_FREEZE": "off"}),
    ("(b) same, X-Ray patch eager at init", "telemetry", {"TELEMETRY_XRAY_PATCH": "eager"}),
    ("(c) + Powertools Logger+Tracer+Metrics", "powertools", {}),
    ("(c) same, POWERTOOLS_TRACE_DISABLED=true", "powertools", {"POWERTOOLS_TRACE_DISABLED": "true"}),
    ("(d) + OTel exec wrapper (ADOT style)", "otel_exec_wrapper", {}),
]
WARM_CASES = [("bare", "bare"), ("@instrument", "telemetry"), ("@instrument + 1 log + 1 metric", "telemetry_busy")]

COLD_PROBE = r"""
import json, os, sys, time
real_stdout = sys.stdout
sys.stdout = open(os.devnull, "w")
class Context:
    function_name = "platform-bench-fn"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-fn"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self): return 30000
start = time.perf_counter()
import importlib
module = importlib.import_module(sys.argv[1])
loaded = time.perf_counter()
module.handler(json.loads(sys.argv[2]), Context())
called = time.perf_counter()
real_stdout.write(json.dumps({"init_ms": (loaded - start) * 1000, "first_call_ms": (called - loaded) * 1000,
                              "xray_sdk_loaded": "aws_xray_sdk.core" in sys.modules}) + "\n")
"""

WARM_PROBE = r"""
import json, os, sys, time, importlib, statistics
real_stdout = sys.stdout
sys.stdout = open(os.devnull, "w")
event = json.loads(sys.argv[1]); rounds = int(sys.argv[2]); calls = int(sys.argv[3])
class Context:
    function_name = "platform-bench-fn"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-fn"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self): return 30000
context = Context()
results = {}
for name in sys.argv[4:]:
    handler = importlib.import_module(name).handler
    for _ in range(200):
        handler(event, context)
    per_call = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            handler(event, context)
        per_call.append((time.perf_counter() - start) / calls * 1e6)
    results[name] = statistics.median(per_call)
real_stdout.write(json.dumps(results) + "\n")
"""


def api_event() -> dict:
    return {
        "resource": "/orders", "path": "/orders", "httpMethod": "GET", "headers": {}, "queryStringParameters": None,
        "pathParameters": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"requestId": "r", "stage": "bench", "identity": {"sourceIp": "127.0.0.1"}},
    }


def lambda_environment(extra: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "POWERTOOLS_", "TELEMETRY_", "AWS_"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "AWS_LAMBDA_FUNCTION_NAME": "platform-bench-fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "benchmark",
            "AWS_SECRET_ACCESS_KEY": "benchmark",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "_X_AMZN_TRACE_ID": TRACE_HEADER,
            "SERVICE_NAME": "bench",
            "ENVIRONMENT": "bench",
            "METRICS_NAMESPACE": "platform/bench",
            "TELEMETRY_EXPORTER": "log",
            "TELEMETRY_GC_FREEZE": "on",
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": "bench",
            "POWERTOOLS_METRICS_NAMESPACE": "platform/bench",
        }
    )
    env.update(extra)
    return env


class OtlpSink(BaseHTTPRequestHandler):
    """Stands in for the ADOT collector extension: accepts OTLP/HTTP and answers 200 at once."""

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return None


def start_otlp_sink() -> str:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OtlpSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def compile_bytecode() -> None:
    """Checked-hash .pyc for the repository's modules, as shipped; site-packages already has .pyc."""
    for folder in ("handlers", "benchmarks/cold_start"):
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", str(ROOT / folder)], check=True)


def cold(runs: int) -> list[dict]:
    samples: dict[int, list[dict]] = {index: [] for index in range(len(COLD_CASES))}
    event = json.dumps(api_event())
    for _ in range(runs):
        for index, (_, module, extra) in enumerate(COLD_CASES):
            done = subprocess.run(
                [sys.executable, "-c", COLD_PROBE, f"{SUBJECTS}.{module}", event],
                cwd=ROOT, env=lambda_environment(extra), capture_output=True, text=True, check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"{module} failed:\n{done.stderr}")
            samples[index].append(json.loads(done.stdout.strip().splitlines()[-1]))
    baseline = statistics.median(sample["init_ms"] for sample in samples[0])
    rows = []
    for index, (label, module, extra) in enumerate(COLD_CASES):
        init = statistics.median(sample["init_ms"] for sample in samples[index])
        rows.append(
            {
                "case": label,
                "module": module,
                "env": {key: value for key, value in extra.items() if not key.startswith("OTEL_")},
                "init_ms": round(init, 1),
                "added_ms": round(init - baseline, 1),
                "first_call_ms": round(statistics.median(sample["first_call_ms"] for sample in samples[index]), 2),
                "xray_sdk_loaded": samples[index][0]["xray_sdk_loaded"],
                "runs": runs,
            }
        )
    return rows


def warm(rounds: int, calls: int) -> list[dict]:
    modules = [f"{SUBJECTS}.{module}" for _, module in WARM_CASES]
    done = subprocess.run(
        [sys.executable, "-c", WARM_PROBE, json.dumps(api_event()), str(rounds), str(calls), *modules],
        cwd=ROOT, env=lambda_environment({}), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    per_call = json.loads(done.stdout.strip().splitlines()[-1])
    baseline = per_call[modules[0]]
    return [
        {"case": label, "per_call_us": round(per_call[module], 1), "added_us": round(per_call[module] - baseline, 1)}
        for (label, _), module in zip(WARM_CASES, modules)
    ]


def markdown(cold_rows: list[dict], warm_rows: list[dict]) -> str:
    frozen = next(row["init_ms"] for row in cold_rows if row["module"] == "bare_gc_frozen")
    lines = [
        "| subject | import + set-up (median ms) | added vs (a) (ms) | added vs (a') (ms) | first invocation (ms) | X-Ray SDK loaded at init |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in cold_rows:
        lines.append(
            f"| {row['case']} | {row['init_ms']} | {row['added_ms']:+} | {round(row['init_ms'] - frozen, 1):+} | "
            f"{row['first_call_ms']} | {'yes' if row['xray_sdk_loaded'] else 'no'} |"
        )
    lines += ["", "| warm invocation | per call (median µs) | added vs bare (µs) |", "| --- | ---: | ---: |"]
    for row in warm_rows:
        lines.append(f"| {row['case']} | {row['per_call_us']} | {row['added_us']:+} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per cold subject (median)")
    parser.add_argument("--rounds", type=int, default=15, help="warm rounds (median of per-call means)")
    parser.add_argument("--calls", type=int, default=500, help="warm calls per round")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"), help="where to write raw results")
    options = parser.parse_args()
    compile_bytecode()
    endpoint = start_otlp_sink()
    for label, module, extra in COLD_CASES:
        if module == "otel_exec_wrapper":
            extra["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    cold_rows = cold(options.runs)
    warm_rows = warm(options.rounds, options.calls)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    options.json.write_text(json.dumps({"machine": machine, "cold": cold_rows, "warm": warm_rows}, indent=2) + "\n")
    print(f"machine: {machine}; cold: median of {options.runs} fresh processes; warm: median of {options.rounds} rounds x {options.calls} calls\n")
    print(markdown(cold_rows, warm_rows))


if __name__ == "__main__":
    main()
