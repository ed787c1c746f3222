"""Cold start and warm overhead of handler observability, each subject making the same AWS call.

    .venv/bin/python benchmarks/cold_start/run.py [--runs 21] [--instructions 1] [--pairs 9] [--calls 300]

Every subject reads one DynamoDB item per invocation from a local stand-in on 127.0.0.1
(`local_aws.FakeDynamoDB`, reached through `AWS_ENDPOINT_URL_DYNAMODB`), in a Lambda-like
environment (`LAMBDA_TASK_ROOT`, `_X_AMZN_TRACE_ID`, ...), after the repository's modules are
compiled to checked-hash .pyc files as the packaging does. An X-Ray daemon stand-in on
127.0.0.1 receives the subsegments, so each run also checks that the call was traced under
the function's segment.

Cold, wall time: each subject is imported and invoked once in a fresh interpreter; the clock
starts just before the handler module import (interpreter start-up is the same for all and is
excluded). Runs are interleaved across subjects, and "added" is the median of the per-round
differences with the bare handler, so machine noise hits both sides of each difference alike.
Cold, instructions: the same probes under valgrind's callgrind (PYTHONHASHSEED=0), which
counts instructions exactly, whatever else the shared machine is doing: import alone, then
import + first invocation, each minus the bare handler's.
Warm: pairs of fresh processes (bare, then each subject), interleaved; each warms up, then
times rounds of calls; "added" is the median over pairs of the per-call difference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.cold_start.local_aws import FakeDynamoDB, OtlpCollector, XRayDaemonSink, traced_call  # noqa: E402

SUBJECTS = "benchmarks.cold_start.subjects"
TRACE_ID = "1-5759e988-bd862e3fe1be46a994272793"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"
TRACE_HEADER = f"Root={TRACE_ID};Parent={FUNCTION_SEGMENT};Sampled=1;Lineage=a87bd80c:0"

# (label, module, extra environment)
COLD_CASES: list[tuple[str, str, dict[str, str]]] = [
    ("(a) bare: boto3 + one client + GetItem", "bare", {}),
    ("(a') bare + gc.freeze() after import boto3", "bare_gc_frozen", {}),
    ("(b) + handlers.telemetry @instrument", "telemetry", {}),
    ("(b) same, TELEMETRY_XRAY_PATCH=off", "telemetry", {"TELEMETRY_XRAY_PATCH": "off"}),
    ("(b) same, TELEMETRY_GC_FREEZE=off", "telemetry", {"TELEMETRY_GC_FREEZE": "off"}),
    ("(b) same, subsegments by the X-Ray SDK instead", "telemetry_xray_sdk", {"TELEMETRY_XRAY_PATCH": "off"}),
    ("(c) + Powertools Logger+Tracer+Metrics", "powertools", {}),
    ("(d) + OTel exec wrapper (ADOT style)", "otel_exec_wrapper", {}),
]
WARM_CASES = [("bare", "bare", {}), ("@instrument", "telemetry", {}), ("@instrument + 1 log + 1 metric", "telemetry_busy", {}),
              ("Powertools Logger+Tracer+Metrics", "powertools", {})]

COLD_PROBE = r"""
import json, os, sys, time
from benchmarks.lambda_stdout import lambda_stdout
real_stdout = sys.stdout
sys.stdout = lambda_stdout()  # written as in Lambda: a system call per write
class Context:
    function_name = "platform-bench-fn"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-fn"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self): return 30000
event = json.loads(sys.argv[2])
start, start_cpu = time.perf_counter(), time.process_time()
import importlib
module = importlib.import_module(sys.argv[1])
loaded, loaded_cpu = time.perf_counter(), time.process_time()
if sys.argv[3] != "import":
    result = module.handler(event, Context())
    assert result["body"] == "placed", result
called, called_cpu = time.perf_counter(), time.process_time()
if sys.argv[3].startswith("warm:"):  # instruction counts of warm calls: this minus the "call" phase
    context = Context()
    for _ in range(int(sys.argv[3][5:])):
        module.handler(event, context)
real_stdout.write(json.dumps({"import_ms": (loaded - start) * 1000, "call_ms": (called - loaded) * 1000,
                              "import_cpu_ms": (loaded_cpu - start_cpu) * 1000, "call_cpu_ms": (called_cpu - loaded_cpu) * 1000}) + "\n")
real_stdout.flush()
os._exit(0)  # no interpreter shutdown: its final collection is no part of a cold start, and would
             # favour subjects that froze their heap in the instruction counts
"""

WARM_PROBE = r"""
import json, os, sys, time, importlib, statistics
from benchmarks.lambda_stdout import lambda_stdout
real_stdout = sys.stdout
sys.stdout = lambda_stdout()  # written as in Lambda: a system call per write
event = json.loads(sys.argv[2]); rounds = int(sys.argv[3]); calls = int(sys.argv[4])
class Context:
    function_name = "platform-bench-fn"; function_version = "$LATEST"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:platform-bench-fn"
    aws_request_id = "8f5e2c1e-0000-4000-8000-000000000000"
    def get_remaining_time_in_millis(self): return 30000
context = Context()
handler = importlib.import_module(sys.argv[1]).handler
for _ in range(50):
    handler(event, context)
per_call = []
for _ in range(rounds):
    start = time.perf_counter()
    for _ in range(calls):
        handler(event, context)
    per_call.append((time.perf_counter() - start) / calls * 1e6)
real_stdout.write(json.dumps({"per_call_us": statistics.median(per_call)}) + "\n")
real_stdout.flush()
os._exit(0)
"""


def api_event() -> dict:
    return {
        "resource": "/orders/{order_id}", "path": "/orders/o-1", "httpMethod": "GET", "headers": {}, "queryStringParameters": None,
        "pathParameters": {"order_id": "o-1"}, "body": None, "isBase64Encoded": False,
        "requestContext": {"requestId": "r", "stage": "bench", "identity": {"sourceIp": "127.0.0.1"}},
    }


def lambda_environment(extra: dict[str, str], dynamodb: str, daemon: str, otlp: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OTEL_", "POWERTOOLS_", "TELEMETRY_", "AWS_", "PYTHON"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",  # use the compiled .pyc, never rewrite them
            "LAMBDA_TASK_ROOT": str(ROOT),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_LAMBDA_FUNCTION_NAME": "platform-bench-fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "benchmark",
            "AWS_SECRET_ACCESS_KEY": "benchmark",
            "AWS_SESSION_TOKEN": "benchmark",
            "AWS_ENDPOINT_URL_DYNAMODB": dynamodb,
            "AWS_XRAY_DAEMON_ADDRESS": daemon,
            "_X_AMZN_TRACE_ID": TRACE_HEADER,
            "SERVICE_NAME": "bench",
            "ENVIRONMENT": "bench",
            "METRICS_NAMESPACE": "platform/bench",
            "TELEMETRY_EXPORTER": "log",
            "LOG_LEVEL": "INFO",
            "POWERTOOLS_SERVICE_NAME": "bench",
            "POWERTOOLS_METRICS_NAMESPACE": "platform/bench",
            "OTEL_EXPORTER_OTLP_ENDPOINT": otlp,
        }
    )
    env.update(extra)
    return env


def compile_bytecode() -> None:
    """Checked-hash .pyc for the repository's modules, as shipped; site-packages already has .pyc."""
    for folder in ("handlers", "benchmarks/cold_start"):
        subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", str(ROOT / folder)], check=True)


def run_probe(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit(f"{command[-3:]} failed:\n{done.stderr[-4000:]}")
    return done


def spread(values: list[float]) -> tuple[float, float, float]:
    """Median and interquartile range (the middle half of the runs)."""
    ordered = sorted(values)
    if len(ordered) < 4:
        return statistics.median(ordered), ordered[0], ordered[-1]
    low, _, high = statistics.quantiles(ordered, n=4)
    return statistics.median(ordered), low, high


def cold(runs: int, env_for: Any, sink: XRayDaemonSink) -> list[dict]:
    samples: dict[int, list[dict]] = {index: [] for index in range(len(COLD_CASES))}
    event = json.dumps(api_event())
    for _ in range(runs):
        for index, (_, module, extra) in enumerate(COLD_CASES):
            sink.take()
            done = run_probe([sys.executable, "-c", COLD_PROBE, f"{SUBJECTS}.{module}", event, "call"], env_for(extra))
            sample = json.loads(done.stdout.strip().splitlines()[-1])
            time.sleep(0.02)  # let the last datagram arrive
            sample["traced"] = traced_call(sink.take(), TRACE_ID, FUNCTION_SEGMENT)
            samples[index].append(sample)
    rows = []
    for index, (label, module, extra) in enumerate(COLD_CASES):
        mine, bare = samples[index], samples[0]
        totals = [s["import_ms"] + s["call_ms"] for s in mine]
        added = [a["import_ms"] + a["call_ms"] - b["import_ms"] - b["call_ms"] for a, b in zip(mine, bare)]
        cpu = [s["import_cpu_ms"] + s["call_cpu_ms"] for s in mine]
        added_cpu = [a["import_cpu_ms"] + a["call_cpu_ms"] - b["import_cpu_ms"] - b["call_cpu_ms"] for a, b in zip(mine, bare)]
        rows.append(
            {
                "case": label, "module": module, "env": extra, "runs": runs,
                "import_ms": round(statistics.median(s["import_ms"] for s in mine), 1),
                "first_call_ms": round(statistics.median(s["call_ms"] for s in mine), 1),
                "sum_ms": [round(value, 1) for value in spread(totals)],
                "added_ms": [round(value, 1) for value in spread(added)],
                "sum_cpu_ms": [round(value, 1) for value in spread(cpu)],
                "added_cpu_ms": [round(value, 1) for value in spread(added_cpu)],
                "traced": sum(s["traced"] for s in mine),
            }
        )
    return rows


CALLGRIND_TOTAL = re.compile(r"Collected : (\d+)")


WARM_CALLS_COUNTED = 100


def instructions(repeats: int, env_for: Any) -> tuple[list[dict], list[dict]]:
    """Instructions executed by each probe under callgrind; deterministic, so noise-free.

    Cold: import alone and import + first invocation. Warm: import + first invocation + 100
    more, so (that minus the first) / 100 is one warm invocation with its GetItem.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None or repeats <= 0:
        return [], []
    event = json.dumps(api_event())
    counts: dict[tuple[str, str, str], list[int]] = {}

    def count(module: str, extra: dict[str, str], phase: str) -> None:
        env = dict(env_for(extra), PYTHONHASHSEED="0")
        done = run_probe([valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", COLD_PROBE,
                          f"{SUBJECTS}.{module}", event, phase], env)
        counts.setdefault((module, json.dumps(extra), phase), []).append(int(CALLGRIND_TOTAL.findall(done.stderr)[-1]))

    warm_phase = f"warm:{WARM_CALLS_COUNTED}"
    for _ in range(repeats):
        for _, module, extra in COLD_CASES:
            count(module, extra, "import")
            count(module, extra, "call")
        for _, module, extra in WARM_CASES:
            if (module, json.dumps(extra), "call") not in counts:
                count(module, extra, "call")
            count(module, extra, warm_phase)

    def median(module: str, extra: dict[str, str], phase: str) -> float:
        return statistics.median(counts[(module, json.dumps(extra), phase)])

    _, bare, bare_env = COLD_CASES[0]
    cold_rows = []
    for label, module, extra in COLD_CASES:
        imported, called = median(module, extra, "import"), median(module, extra, "call")
        samples = counts[(module, json.dumps(extra), "call")]
        cold_rows.append(
            {
                "case": label, "module": module, "env": extra, "repeats": repeats,
                "import_minstr": round((imported - median(bare, bare_env, "import")) / 1e6, 1),
                "first_call_minstr": round(((called - imported) - (median(bare, bare_env, "call") - median(bare, bare_env, "import"))) / 1e6, 1),
                "sum_minstr": round((called - median(bare, bare_env, "call")) / 1e6, 1),
                "total_minstr": round(called / 1e6, 1),
                "spread_minstr": round((max(samples) - min(samples)) / 1e6, 2),
            }
        )
    bare_warm = (median(bare, bare_env, warm_phase) - median(bare, bare_env, "call")) / WARM_CALLS_COUNTED
    warm_rows = []
    for label, module, extra in WARM_CASES:
        per_call = (median(module, extra, warm_phase) - median(module, extra, "call")) / WARM_CALLS_COUNTED
        warm_rows.append({"case": label, "module": module, "per_call_kinstr": round(per_call / 1e3, 1),
                          "added_kinstr": round((per_call - bare_warm) / 1e3, 1)})
    return cold_rows, warm_rows


def warm(pairs: int, rounds: int, calls: int, env_for: Any) -> list[dict]:
    per_call: dict[int, list[float]] = {index: [] for index in range(len(WARM_CASES))}
    event = json.dumps(api_event())
    for _ in range(pairs):
        for index, (_, module, extra) in enumerate(WARM_CASES):
            done = run_probe([sys.executable, "-c", WARM_PROBE, f"{SUBJECTS}.{module}", event, str(rounds), str(calls)], env_for(extra))
            per_call[index].append(json.loads(done.stdout.strip().splitlines()[-1])["per_call_us"])
    rows = []
    for index, (label, module, _) in enumerate(WARM_CASES):
        added = [mine - bare for mine, bare in zip(per_call[index], per_call[0])]
        rows.append({"case": label, "module": module, "pairs": pairs,
                     "per_call_us": [round(value, 1) for value in spread(per_call[index])],
                     "added_us": [round(value, 1) for value in spread(added)]})
    return rows


def triple(values: list[float], sign: bool = False) -> str:
    middle, low, high = values
    return f"{middle:+} ({low:+} to {high:+})" if sign else f"{middle} ({low}–{high})"


def markdown(cold_rows: list[dict], instruction_rows: list[dict], warm_rows: list[dict], warm_instruction_rows: list[dict]) -> str:
    lines = [
        "| subject | import (ms) | first invocation (ms) | sum (ms, IQR) | added vs (a), paired (ms, IQR) | sum, CPU time (ms, IQR) | added CPU vs (a), paired (ms, IQR) | GetItem traced under the function segment |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in cold_rows:
        lines.append(f"| {row['case']} | {row['import_ms']} | {row['first_call_ms']} | {triple(row['sum_ms'])} | "
                     f"{triple(row['added_ms'], sign=True)} | {triple(row['sum_cpu_ms'])} | {triple(row['added_cpu_ms'], sign=True)} | "
                     f"{row['traced']}/{row['runs']} |")
    if instruction_rows:
        lines += ["", "| subject | import, added (M instr.) | first invocation, added (M instr.) | sum, added (M instr.) | whole process (M instr.) |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for row in instruction_rows:
            lines.append(f"| {row['case']} | {row['import_minstr']:+} | {row['first_call_minstr']:+} | {row['sum_minstr']:+} | {row['total_minstr']} |")
    lines += ["", "| warm invocation (with its GetItem) | per call (µs, IQR) | added vs bare, paired (µs, IQR) | per call (k instr.) | added vs bare (k instr.) |",
              "| --- | ---: | ---: | ---: | ---: |"]
    by_case = {row["case"]: row for row in warm_instruction_rows}
    for row in warm_rows:
        counted = by_case.get(row["case"])
        instructions_cells = f"{counted['per_call_kinstr']} | {counted['added_kinstr']:+}" if counted else "– | –"
        lines.append(f"| {row['case']} | {triple(row['per_call_us'])} | {triple(row['added_us'], sign=True)} | {instructions_cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="fresh processes per cold subject, interleaved")
    parser.add_argument("--instructions", type=int, default=1, help="callgrind repeats per subject and phase (0: skip)")
    parser.add_argument("--pairs", type=int, default=9, help="warm: interleaved process pairs")
    parser.add_argument("--rounds", type=int, default=9, help="warm: rounds per process (median of per-call means)")
    parser.add_argument("--calls", type=int, default=300, help="warm: calls per round")
    parser.add_argument("--json", type=Path, default=Path(__file__).with_name("results.json"), help="where to write raw results")
    options = parser.parse_args()
    compile_bytecode()
    load_before = os.getloadavg()
    with FakeDynamoDB() as dynamodb, XRayDaemonSink() as sink, OtlpCollector() as collector:

        def env_for(extra: dict[str, str]) -> dict[str, str]:
            return lambda_environment(extra, dynamodb.url, sink.address, collector.url)

        cold_rows = cold(options.runs, env_for, sink)
        instruction_rows, warm_instruction_rows = instructions(options.instructions, env_for)
        warm_rows = warm(options.pairs, options.rounds, options.calls, env_for)
    load_after = os.getloadavg()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    options.json.write_text(json.dumps({"machine": machine, "load": load, "cold": cold_rows, "instructions": instruction_rows,
                                        "warm": warm_rows, "warm_instructions": warm_instruction_rows}, indent=2) + "\n")
    print(f"machine: {machine}; {load}; cold: {options.runs} interleaved runs; warm: {options.pairs} pairs x {options.rounds} rounds x {options.calls} calls\n")
    print(markdown(cold_rows, instruction_rows, warm_rows, warm_instruction_rows))


if __name__ == "__main__":
    main()
