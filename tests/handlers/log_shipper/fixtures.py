"""Subscription payloads in CloudWatch Logs' real wire format, generated rather than pasted.

CloudWatch sends base64(gzip(JSON)) with messageType/owner/logGroup/logStream/
subscriptionFilters/logEvents; event ids are 56-digit decimal strings.
"""
from __future__ import annotations

import base64
import gzip
import json
import random
from typing import Any, Iterable, Sequence

OWNER = "123456789012"
BASE_TIMESTAMP_MS = 1_795_000_000_000  # 2026-11-18T..Z, fixed so index names are predictable


def event_id(n: int) -> str:
    return f"{n:056d}"


def log_event(n: int, message: str, timestamp_ms: int | None = None) -> dict[str, Any]:
    return {"id": event_id(n), "timestamp": BASE_TIMESTAMP_MS + n if timestamp_ms is None else timestamp_ms,
            "message": message}


def payload_json(log_group: str, events: Sequence[dict[str, Any]], log_stream: str = "2026/11/18/[$LATEST]abc",
                 message_type: str = "DATA_MESSAGE") -> dict[str, Any]:
    return {"messageType": message_type, "owner": OWNER, "logGroup": log_group, "logStream": log_stream,
            "subscriptionFilters": ["platform-dev-ship-logs"], "logEvents": list(events)}


def control_payload_json() -> dict[str, Any]:
    return {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "", "logStream": "",
            "subscriptionFilters": [], "logEvents": [
                {"id": "", "timestamp": BASE_TIMESTAMP_MS,
                 "message": "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]}


def encode(document: dict[str, Any]) -> str:
    return base64.b64encode(gzip.compress(json.dumps(document).encode("utf-8"))).decode("ascii")


def awslogs_event(document: dict[str, Any]) -> dict[str, Any]:
    return {"awslogs": {"data": encode(document)}}


def kinesis_event(datas: Iterable[str], stream_arn: str = "arn:aws:kinesis:us-east-1:123456789012:stream/logs") -> dict[str, Any]:
    records = []
    for position, data in enumerate(datas):
        sequence = f"4959{position:052d}"
        records.append({
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": f"pk-{position}", "sequenceNumber": sequence,
                        "data": data, "approximateArrivalTimestamp": BASE_TIMESTAMP_MS / 1000},
            "eventSource": "aws:kinesis", "eventVersion": "1.0",
            "eventID": f"shardId-000000000000:{sequence}", "eventName": "aws:kinesis:record",
            "eventSourceARN": stream_arn, "awsRegion": "us-east-1"})
    return {"Records": records}


def pseudo_random_hex(n: int, digits: int) -> str:
    """Deterministic but random-looking ids, like real trace ids (no long runs of zeros)."""
    return f"{(n * 0x9E3779B97F4A7C15F39CC0605CEDC834 + 0x1234567) % (1 << (4 * digits)):0{digits}x}"


def json_line(n: int) -> str:
    return json.dumps({"level": "INFO", "message": f"order {n} created", "service": "orders",
                       "trace_id": f"1-67a0b1c2-{pseudo_random_hex(n, 24)}", "span_id": f"{n:016x}", "request_id": f"req-{n}",
                       "order_id": f"o-{n}", "amount": n % 97, "timestamp": "2026-11-18T10:00:00.000Z"})


def span_line(n: int) -> str:
    return json.dumps({"record_type": "span", "traceId": f"67a0b1c2{pseudo_random_hex(n, 24)}", "spanId": f"{n:016x}",
                       "parentSpanId": "", "name": "GET /orders", "kind": "SPAN_KIND_SERVER",
                       "startTime": "2026-11-18T10:00:00.000000Z", "endTime": "2026-11-18T10:00:00.010000Z",
                       "durationInNanos": 10_000_000, "serviceName": "orders", "traceGroup": "GET /orders",
                       "status.code": 0, "resource.attributes.service@name": "orders"})


def platform_lines(request_id: str) -> list[str]:
    return [
        f"START RequestId: {request_id} Version: $LATEST\n",
        f"END RequestId: {request_id}\n",
        f"REPORT RequestId: {request_id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\t"
        f"Max Memory Used: 81 MB\tInit Duration: 410.55 ms\t\nXRAY TraceId: 1-67a0b1c2-abcdef012345678901234567\t"
        "SegmentId: 0123456789abcdef\tSampled: true\t\n",
    ]


def mixed_messages(count: int, seed: int = 7) -> list[str]:
    """A realistic mix: mostly JSON application lines, some plain text, platform lines and spans."""
    rng = random.Random(seed)
    messages: list[str] = []
    while len(messages) < count:
        n = len(messages)
        roll = rng.random()
        if roll < 0.55:
            messages.append(json_line(n))
        elif roll < 0.70:
            messages.append(f"plain text line {n}: payment provider answered in {rng.randint(5, 900)} ms\n")
        elif roll < 0.85:
            messages.extend(platform_lines(f"8f5c{n:028x}"))
        else:
            messages.append(span_line(n))
    return messages[:count]


def mixed_payloads(total_events: int, groups: Sequence[str] = ("/platform/dev/orders/lambda-api",
                                                               "/platform/dev/payments/lambda-webhook",
                                                               "/platform/dev/clickstream/lambda-ingest"),
                   per_payload: int = 500, first_id: int = 0) -> list[dict[str, Any]]:
    messages = mixed_messages(total_events)
    payloads = []
    for start in range(0, total_events, per_payload):
        group = groups[(start // per_payload) % len(groups)]
        events = [log_event(first_id + start + i, m) for i, m in enumerate(messages[start:start + per_payload])]
        payloads.append(payload_json(group, events))
    return payloads
