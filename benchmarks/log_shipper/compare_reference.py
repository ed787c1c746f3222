"""Events per second of this shipper's Lambda entry point against a model of the AWS console's
LogsToElasticsearch function (v1.1.2), on the same payloads and the same local TLS endpoint.

    .venv/bin/python benchmarks/log_shipper/compare_reference.py [--pairs 7] [--events 20000]
        [--workload json|mixed] [--plain-http] [--unsampled] [--without-instrument]

- **Subjects.** Ours is ``handlers.log_shipper.app.handler`` with ``@instrument``, its metrics
  and its log line, in a Lambda-like environment. Theirs is ``reference_model/handler.js``, our
  own Node.js model of that function's behaviour (not its code): a SigV4 signature computed by
  hand with ``crypto``, one uncompressed ``_bulk`` per invocation with the ``index`` operation
  and ``_type``, no retries. Both run in warm worker processes that stay up for the whole run.
  By default every invocation is sampled (the X-Ray header says ``Sampled=1``, as dev's 100 %
  sampling does): the worst case, in which each invocation also writes its span line.
  ``--unsampled`` gives the header most production invocations carry (Lambda samples about one
  request a second and 5 % of the rest), and ``--without-instrument`` calls the shipper
  without ``@instrument``, to show what the telemetry the reference does not have costs.
- **Payloads.** Direct ``awslogs`` events of N log events; ``json`` (default) is JSON lines of
  about 300 bytes, ``mixed`` the platform's own mix (see workload.py). Each pair of runs gets
  fresh event ids, so every ``create`` is a real insert.
- **Endpoint.** The test suite's fake ``_bulk`` in its own process, over TLS with a throw-away
  certificate (each client trusts it through ``SSL_CERT_FILE`` / ``NODE_EXTRA_CA_CERTS``),
  verifying every SigV4 signature.
- **Statistics.** Per batch size: one discarded warm-up run per side, then ``--pairs`` pairs,
  the order alternating within each pair. Reported: the median events/s of each side with its
  range, and the median and range of the per-pair ratios; and, steadier on a busy machine, the
  events per CPU-second each client process used (the endpoint's time excluded), as medians
  with their ranges and as per-pair ratios (the two runs of a pair see about the same load).
  The load average is printed before and after, because the machine is shared.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.cold_start.local_aws import FakeDynamoDB, XRayDaemonSink  # noqa: E402
from benchmarks.cold_start.run import lambda_environment  # noqa: E402
from benchmarks.log_shipper.bulk_endpoint import running_endpoint  # noqa: E402
from benchmarks.log_shipper.workload import direct_events  # noqa: E402

HERE = Path(__file__).resolve().parent
BATCH_SIZES = (10, 100, 1_000, 10_000)
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}


@contextmanager
def aws_stand_ins() -> Iterator[tuple[str, str]]:
    """(DynamoDB URL, X-Ray daemon address): the daemon every traced function has, and the table
    the bare baseline handler of cold_start.py reads one item from."""
    with FakeDynamoDB() as dynamodb, XRayDaemonSink() as daemon:
        yield dynamodb.url, daemon.address


def shipper_environment(url: str, ca_file: str | None, dynamodb: str, daemon: str, *, sampled: bool = True,
                        instrumented: bool = True, span_lines: bool = False) -> dict[str, str]:
    """What the platform's function gets (components/logging), with a Lambda-like runtime.

    As deployed, the shipper writes no span lines (`TELEMETRY_EXPORTER=none`): its own logs are
    never shipped, so nothing would index them (`components/services/function.py`,
    `telemetry_environment`). `span_lines` writes them anyway, as every function whose logs
    are shipped does, for the comparison in benchmarks/README.md.
    """
    env = lambda_environment({}, dynamodb, daemon, otlp="")
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT")
    env.update(CREDENTIALS)
    env.update({"OPENSEARCH_ENDPOINT": url, "DEAD_LETTER_BUCKET": "platform-bench-log-shipping-dead-letters",
                "LOG_INDEX_PREFIX": "logs-bench", "TRACE_INDEX_PREFIX": "otel-v1-apm-span-bench",
                "LOG_GROUP_PREFIX": "/platform/dev/", "ENVIRONMENT": "bench", "SERVICE_NAME": "log-shipping",
                "AWS_LAMBDA_FUNCTION_NAME": "platform-bench-log-shipping-shipper",
                "TELEMETRY_EXPORTER": "log" if span_lines else "none"})
    if ca_file:
        env["SSL_CERT_FILE"] = ca_file
    if not sampled:
        env["_X_AMZN_TRACE_ID"] = env["_X_AMZN_TRACE_ID"].replace("Sampled=1", "Sampled=0")
    if not instrumented:
        env["BENCH_WITHOUT_INSTRUMENT"] = "1"
    return env


def reference_environment(url: str, ca_file: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "NODE_"))}
    env.update(CREDENTIALS)
    env.update({"OPENSEARCH_ENDPOINT": url, "AWS_REGION": "us-east-1"})
    if ca_file:
        env["NODE_EXTRA_CA_CERTS"] = ca_file
    return env


class Worker:
    """A warm process that runs a file of events on request and reports how long it took."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)

    def run(self, events_file: Path, expected_events: int) -> tuple[float, float]:
        """(events per second of wall time, events per second of this worker's CPU time)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"run {events_file}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name} worker stopped (exit code {self.process.wait()})")
        result = json.loads(line)
        if result["events"] != expected_events:
            raise SystemExit(f"{self.name} shipped {result['events']} of {expected_events} events")
        return expected_events / result["seconds"], expected_events / result["cpu_seconds"]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


@contextmanager
def workers(url: str, ca_file: str | None, **shipper: bool) -> Iterator[tuple[Worker, Worker]]:
    with aws_stand_ins() as (dynamodb, daemon):
        ours = Worker("shipper", [sys.executable, str(HERE / "shipper_worker.py")],
                      shipper_environment(url, ca_file, dynamodb, daemon, **shipper))
        theirs = Worker("reference", ["node", str(HERE / "reference_model" / "run.js")],
                        reference_environment(url, ca_file))
        try:
            yield ours, theirs
        finally:
            ours.stop()
            theirs.stop()


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})"


def compare(batch_size: int, total: int, pairs: int, workload: str, ours: Worker, theirs: Worker, folder: Path,
            first_id: int) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"ours": [], "theirs": [], "ratio": [], "ours_cpu": [], "theirs_cpu": [],
                                     "cpu_ratio": []}
    for pair in range(pairs + 1):  # pair 0 warms both workers up and is not counted
        events_file = folder / f"events-{batch_size}-{pair}.json"
        events_file.write_text(json.dumps(direct_events(total, batch_size, first_id + pair * total, workload)))
        order = (ours, theirs) if pair % 2 == 0 else (theirs, ours)
        measured = {worker.name: worker.run(events_file, total) for worker in order}
        events_file.unlink()
        if pair:
            rates["ours"].append(measured["shipper"][0])
            rates["theirs"].append(measured["reference"][0])
            rates["ratio"].append(measured["shipper"][0] / measured["reference"][0])
            rates["ours_cpu"].append(measured["shipper"][1])
            rates["theirs_cpu"].append(measured["reference"][1])
            rates["cpu_ratio"].append(measured["shipper"][1] / measured["reference"][1])
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per run (at least two batches)")
    parser.add_argument("--pairs", type=int, default=7, help="measured pairs of runs per batch size")
    parser.add_argument("--workload", choices=["json", "mixed"], default="json")
    parser.add_argument("--plain-http", action="store_true", help="no TLS on the endpoint")
    parser.add_argument("--batch", type=int, action="append", help="batch sizes (default: 10 100 1000 10000)")
    parser.add_argument("--unsampled", action="store_true", help="an X-Ray header with Sampled=0")
    parser.add_argument("--without-instrument", action="store_true", help="the shipper without @instrument")
    parser.add_argument("--span-lines", action="store_true",
                        help="the shipper writes its span lines (not deployed so: its logs are not shipped)")
    args = parser.parse_args()
    if shutil.which("node") is None:
        sys.exit("node is not installed: cannot run the reference model")
    subprocess.run([sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
                    str(ROOT / "handlers")], check=True)
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {os.cpu_count()} cores; "
          f"workload {args.workload}; {'http' if args.plain_http else 'https'}; {args.pairs} interleaved pairs; "
          f"{'unsampled' if args.unsampled else 'sampled'}"
          f"{'; without @instrument' if args.without_instrument else ''}"
          f"{'; with span lines' if args.span_lines else ''}")
    print("| batch | this shipper, events/s, median (range) | reference model, events/s, median (range) "
          "| ratio of medians | per-pair ratio, median (range) | client CPU: events per CPU-second, ours / theirs, "
          "median (range) | client CPU, per-pair ratio, median (range) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    first_id = 0
    with running_endpoint(tls=not args.plain_http) as (_, url, ca_file), workers(
            url, ca_file, sampled=not args.unsampled, instrumented=not args.without_instrument,
            span_lines=args.span_lines) as (ours, theirs), \
            tempfile.TemporaryDirectory() as folder:
        for batch_size in args.batch or BATCH_SIZES:
            total = max(args.events, 2 * batch_size)
            rates = compare(batch_size, total, args.pairs, args.workload, ours, theirs, Path(folder), first_id)
            first_id += (args.pairs + 1) * total
            ratio = statistics.median(rates["ours"]) / statistics.median(rates["theirs"])
            ratios = rates["ratio"]
            cpu_ratios = rates["cpu_ratio"]
            print(f"| {batch_size:,} | {spread(rates['ours'])} | {spread(rates['theirs'])} | {ratio:.2f} | "
                  f"{statistics.median(ratios):.2f} ({min(ratios):.2f}–{max(ratios):.2f}) | "
                  f"{spread(rates['ours_cpu'])} / {spread(rates['theirs_cpu'])} | "
                  f"{statistics.median(cpu_ratios):.2f} ({min(cpu_ratios):.2f}–{max(cpu_ratios):.2f}) |", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
