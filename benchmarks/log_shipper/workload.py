"""The benchmark workload: realistic subscription payloads, generated once per run.

The mix mirrors the platform's log groups: mostly JSON lines from the telemetry logger, some
plain text, Lambda START/END/REPORT lines and span records, in payloads of up to 1,000 events
(CloudWatch Logs' own upper bound per subscription delivery is about 1 MB / 10,000 events).
"""
from __future__ import annotations

from typing import Any

from tests.handlers.log_shipper import fixtures


def encoded_payloads(total_events: int, per_payload: int, first_id: int = 0) -> list[str]:
    return [fixtures.encode(p) for p in fixtures.mixed_payloads(total_events, per_payload=per_payload,
                                                                first_id=first_id)]


def kinesis_event(datas: list[str]) -> dict[str, Any]:
    return fixtures.kinesis_event(datas)
