"""The benchmark workloads: realistic subscription payloads, generated once per run.

- ``mixed``: the platform's own mix: mostly JSON lines from the telemetry logger, some plain
  text, Lambda START/END/REPORT lines and span records (``tests/handlers/log_shipper/fixtures``).
- ``json``: what the comparison with the reference function was specified on: direct
  ``awslogs`` events of JSON log lines of about 300 bytes, shaped like the telemetry logger's
  lines (correlation ids, a duration in milliseconds as a float, a few application keys).
"""
from __future__ import annotations

import json
from typing import Any

from tests.handlers.log_shipper import fixtures

GROUPS = ("/platform/dev/orders/lambda-api", "/platform/dev/payments/lambda-webhook",
          "/platform/dev/clickstream/lambda-ingest")


def telemetry_json_line(n: int) -> str:
    """About 300 bytes, as ``handlers.telemetry`` writes them."""
    trace = fixtures.pseudo_random_hex(n, 32)
    return json.dumps({
        "timestamp": "2026-11-18T10:00:00.123Z", "level": "INFO" if n % 10 else "WARNING",
        "message": f"order {n} created", "service": "orders",
        "request_id": f"{fixtures.pseudo_random_hex(n + 7, 8)}-2c1e-4000-8000-{fixtures.pseudo_random_hex(n, 12)}",
        "trace_id": trace, "span_id": fixtures.pseudo_random_hex(n + 3, 16),
        "xray_trace_id": f"1-{trace[:8]}-{trace[8:]}", "cold_start": n == 0,
        "duration_ms": round(3 + (n % 977) / 7, 3)}, separators=(",", ":"))


def payloads(workload: str, total_events: int, per_payload: int, first_id: int = 0) -> list[dict[str, Any]]:
    if workload == "mixed":
        return fixtures.mixed_payloads(total_events, per_payload=per_payload, first_id=first_id)
    result = []
    for start in range(0, total_events, per_payload):
        events = [fixtures.log_event(first_id + n, telemetry_json_line(first_id + n))
                  for n in range(start, min(start + per_payload, total_events))]
        result.append(fixtures.payload_json(GROUPS[(start // per_payload) % len(GROUPS)], events))
    return result


def encoded_payloads(total_events: int, per_payload: int, first_id: int = 0, workload: str = "mixed") -> list[str]:
    return [fixtures.encode(p) for p in payloads(workload, total_events, per_payload, first_id)]


def direct_events(total_events: int, batch_size: int, first_id: int, workload: str = "json") -> list[dict[str, Any]]:
    """One direct ``awslogs`` event per ``batch_size`` events, as CloudWatch Logs invokes."""
    return [{"awslogs": {"data": data}} for data in encoded_payloads(total_events, batch_size, first_id, workload)]


def kinesis_event(datas: list[str]) -> dict[str, Any]:
    return fixtures.kinesis_event(datas)
