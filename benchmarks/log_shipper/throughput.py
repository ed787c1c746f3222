"""End-to-end shipping throughput of the shipper's core (no Lambda entry point, no telemetry)
against the local TLS bulk endpoint (separate process): decode, transform, SigV4-sign, POST
_bulk, settle per-item results.

    .venv/bin/python benchmarks/log_shipper/throughput.py [--events 20000]

Each invocation ships one batch of N events (a Kinesis event of 500-event payloads, or one
payload when N < 500), as the Lambda would; N is 10, 100, 1,000 and 10,000.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from botocore.credentials import Credentials  # noqa: E402

from benchmarks.log_shipper.bulk_endpoint import command, running_endpoint  # noqa: E402
from benchmarks.log_shipper.workload import encoded_payloads, kinesis_event  # noqa: E402
from handlers.log_shipper.bulk_client import SignedBulkTransport  # noqa: E402
from handlers.log_shipper.config import ShipperConfig  # noqa: E402
from handlers.log_shipper.events import handle_event  # noqa: E402
from handlers.log_shipper.wiring import build_shipper  # noqa: E402
from tests.handlers.log_shipper import fixtures  # noqa: E402

BATCH_SIZES = (10, 100, 1_000, 10_000)


class NoDeadLetters:
    """The benchmark has no faults; an S3 call here would be a bug, so make it loud."""

    def put_object(self, **kwargs: Any) -> None:
        raise AssertionError("unexpected dead letter during the benchmark")


def shipper_wiring(url: str, tag: str) -> tuple[ShipperConfig, SignedBulkTransport]:
    """Configuration and a signed transport to ``url``; ``tag`` keeps each benchmark's indices apart."""
    config = ShipperConfig.from_env({"OPENSEARCH_ENDPOINT": url, "DEAD_LETTER_BUCKET": "unused",
                                     "LOG_INDEX_PREFIX": f"logs-{tag}", "TRACE_INDEX_PREFIX": f"otel-v1-apm-span-{tag}",
                                     "LOG_GROUP_PREFIX": "/platform/dev/", "ENVIRONMENT": "dev"})
    transport = SignedBulkTransport(url, "us-east-1", lambda: Credentials("AKIDBENCH", "secret", "token"))
    return config, transport


def events_for(batch_size: int, total: int, first_id: int) -> list[dict[str, Any]]:
    per_payload = min(batch_size, 500)
    datas = encoded_payloads(total, per_payload, first_id=first_id)
    per_event = batch_size // per_payload
    return [kinesis_event(datas[i:i + per_event]) for i in range(0, len(datas), per_event)]


def measure(url: str, batch_size: int, total: int, first_id: int) -> dict[str, Any]:
    config, transport = shipper_wiring(url, "bench")
    invocations = events_for(batch_size, total, first_id)
    shipped = 0
    started = time.perf_counter()
    for event in invocations:
        _, result = handle_event(event, build_shipper(config, transport, NoDeadLetters()))
        shipped += result.shipped
    elapsed = time.perf_counter() - started
    log_bytes = sum(len(m.encode("utf-8")) for m in fixtures.mixed_messages(total))
    return {"batch_size": batch_size, "events": shipped, "invocations": len(invocations),
            "seconds": round(elapsed, 3), "events_per_second": int(shipped / elapsed),
            "log_mb_per_second": round(log_bytes / elapsed / 1e6, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per batch size")
    args = parser.parse_args()
    os.environ.setdefault("AWS_REGION", "us-east-1")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with running_endpoint(tls=True) as (process, url, ca_file):
        os.environ["SSL_CERT_FILE"] = ca_file or ""
        first_id = 0
        print(f"{'batch':>7} {'invocations':>11} {'events/s':>10} {'MB/s of log messages':>21}")
        for batch_size in BATCH_SIZES:
            total = max(args.events, batch_size)
            result = measure(url, batch_size, total, first_id)
            first_id += total
            print(f"{batch_size:>7} {result['invocations']:>11} {result['events_per_second']:>10,} "
                  f"{result['log_mb_per_second']:>21}")
        print(f"documents stored by the endpoint: {command(process, 'count')}")


if __name__ == "__main__":
    main()
