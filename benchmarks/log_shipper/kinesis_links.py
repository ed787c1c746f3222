"""What looking for producer links in a Kinesis event would cost the shipper's invocation span.

    .venv/bin/python benchmarks/log_shipper/kinesis_links.py [--repeats 15]

`handlers.telemetry.propagation` reads a producer's trace context from a Kinesis record's data
(base64, then JSON) for the per-record spans of `handlers.telemetry.batch`. `@instrument`
does not do it for the invocation span of a Kinesis event (it links only SNS, EventBridge,
Step Functions and HTTP callers), so the shipper's prod path never decodes its records twice.
This measures, on Kinesis events shaped like the shipper's (each record a CloudWatch Logs
subscription payload: base64 of gzip of JSON, 10 or 100 log events of the `json` workload):

- ``@instrument``'s link step as it runs (``decorator.producer_links``);
- a scan of every record (``propagation.event_links``), which is what linking the invocation
  span to each record's producer would take: base64 of every record, a JSON check that fails
  on gzip;
- the shipper's own decode of the same records (base64, gunzip, JSON), for scale.

CPU time per invocation (``time.process_time``), in one process: median of ``--repeats``
interleaved rounds, with the range. No I/O is involved, so the machine's load moves the
figures less than it moves the end-to-end benchmarks, but it still does: note it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.log_shipper.workload import encoded_payloads, kinesis_event  # noqa: E402
from handlers.log_shipper.cloudwatch_payload import decode_payload  # noqa: E402
from handlers.telemetry import decorator, lambda_event, propagation  # noqa: E402

SHAPES = ((1, 10), (10, 10), (100, 10), (10, 100), (100, 100))  # (records per event, log events per record)


def per_call_us(function: Callable[[], Any], calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; {args.repeats} interleaved rounds")
    print("| records x log events | record data, KiB | @instrument link step, µs | scan of every record, µs "
          "| shipper's decode of the records, µs | scan / decode |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for records, per_record in SHAPES:
        event = kinesis_event(encoded_payloads(records * per_record, per_record, workload="json"))
        trigger = lambda_event.classify(event)
        datas = [record["kinesis"]["data"] for record in event["Records"]]
        subjects: dict[str, Callable[[], Any]] = {
            "instrument": lambda: decorator.producer_links(event, trigger),
            "scan": lambda: propagation.event_links(event),
            "decode": lambda: [decode_payload(data) for data in datas],
        }
        calls = {"instrument": 20_000, "scan": max(1, 2000 // records), "decode": max(1, 2000 // records)}
        samples: dict[str, list[float]] = {name: [] for name in subjects}
        for round_number in range(args.repeats + 1):
            order = list(subjects) if round_number % 2 == 0 else list(reversed(subjects))
            for name in order:
                value = per_call_us(subjects[name], calls[name])
                if round_number:  # the first round warms up
                    samples[name].append(value)
        median = {name: statistics.median(values) for name, values in samples.items()}
        cells = [f"{median[name]:,.2f} ({min(samples[name]):,.2f}–{max(samples[name]):,.2f})" if median[name] < 10
                 else f"{median[name]:,.1f} ({min(samples[name]):,.1f}–{max(samples[name]):,.1f})" for name in subjects]
        kib = sum(len(data) for data in datas) / 1024
        print(f"| {records} x {per_record} | {kib:,.1f} | {cells[0]} | {cells[1]} | {cells[2]} | "
              f"{median['scan'] / median['decode']:.2f} |", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
