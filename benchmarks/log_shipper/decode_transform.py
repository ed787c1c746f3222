"""Decode + transform rate on one core: base64 + gzip + JSON decode, document building and
bulk NDJSON serialisation, exactly as the shipper does before any network I/O.

    .venv/bin/python benchmarks/log_shipper/decode_transform.py [--events 200000] [--codec json]
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.log_shipper.workload import encoded_payloads  # noqa: E402
from handlers.log_shipper import json_codec  # noqa: E402
from handlers.log_shipper.cloudwatch_payload import decode_payload  # noqa: E402
from handlers.log_shipper.documents import IndexNaming, document_from_event, payload_context  # noqa: E402

NAMING = IndexNaming("logs-dev", "otel-v1-apm-span-dev", "/platform/dev/", "dev")


def decode_and_transform(datas: list[str]) -> tuple[int, int]:
    events = 0
    ndjson_bytes = 0
    for data in datas:
        payload = decode_payload(data)
        context = payload_context(payload, NAMING)
        documents = [document_from_event(e, context, NAMING) for e in payload.events]
        body = b"".join(d.ndjson for d in documents)
        events += len(documents)
        ndjson_bytes += len(body)
    return events, ndjson_bytes


def measure(total_events: int = 200_000, per_payload: int = 1_000, repeats: int = 3) -> dict[str, Any]:
    datas = encoded_payloads(total_events, per_payload)
    decode_and_transform(datas[:5])  # warm caches (index names, regexes)
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        events, ndjson_bytes = decode_and_transform(datas)
        best = min(best, time.perf_counter() - started)
    return {"events": events, "seconds": round(best, 3), "events_per_second": int(events / best),
            "ndjson_mb_per_second": round(ndjson_bytes / best / 1e6, 1)}


def use_stdlib_codec() -> None:
    """Measure the shipper as it runs when the layer does not ship orjson."""
    json_codec.loads_line = json_codec.stdlib_loads_line
    json_codec.dumps = json_codec.stdlib_dumps
    json_codec.orjson = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--codec", choices=["auto", "json"], default="auto",
                        help="'json' forces the standard-library backend even if orjson is installed")
    args = parser.parse_args()
    if args.codec == "json":
        use_stdlib_codec()
    backend = "orjson" if json_codec.orjson is not None else "json"
    result = measure(args.events)
    print(f"decode+transform [{backend}]: {result['events_per_second']:,} events/s on one core "
          f"({result['events']:,} events in {result['seconds']} s, {result['ndjson_mb_per_second']} MB/s NDJSON)")


if __name__ == "__main__":
    main()
