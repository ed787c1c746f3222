"""The two Lambda event shapes the shipper accepts, and what each must answer.

Direct CloudWatch Logs invocations are asynchronous: raising is the only way to make Lambda
retry and finally hand the event to the on-failure destination. Kinesis invocations answer
with partial batch failures, so only the records that are not yet safe are read again.
"""
from __future__ import annotations

from collections.abc import Mapping  # typing.Mapping checks instances several times slower
from typing import Any

from handlers.log_shipper.pipeline import RawRecord, Shipper, ShipmentResult

DIRECT_KEY = "awslogs"


class IncompleteShipmentError(RuntimeError):
    """Raised on the direct path so Lambda's async retry / on-failure destination keep the event."""

    def __init__(self, message: str, result: ShipmentResult) -> None:
        super().__init__(message)
        self.result = result


class UnsupportedEventError(ValueError):
    """An event that is neither shape; failing loudly beats silently acknowledging it."""


def is_direct_event(event: Mapping[str, Any]) -> bool:
    return isinstance(event.get(DIRECT_KEY), Mapping)


def is_kinesis_event(event: Mapping[str, Any]) -> bool:
    records = event.get("Records")
    return isinstance(records, list) and all(isinstance(r, Mapping) and "kinesis" in r for r in records)


def direct_records(event: Mapping[str, Any]) -> list[RawRecord]:
    data = event[DIRECT_KEY].get("data", "")
    return [RawRecord(data if isinstance(data, (str, bytes)) else "", "direct", {"path": "direct"})]


def kinesis_records(event: Mapping[str, Any]) -> list[RawRecord]:
    records = []
    for record in event["Records"]:
        kinesis = record["kinesis"]
        sequence_number = kinesis.get("sequenceNumber")
        data = kinesis.get("data", "")
        records.append(RawRecord(data if isinstance(data, (str, bytes)) else "", sequence_number, {
            "path": "kinesis",
            "event_id": record.get("eventID"),
            "event_source_arn": record.get("eventSourceARN"),
            "sequence_number": sequence_number,
            "partition_key": kinesis.get("partitionKey"),
        }))
    return records


def handle_event(event: Mapping[str, Any], shipper: Shipper) -> tuple[dict[str, Any], ShipmentResult]:
    """Ship the event; returns the Lambda response and the result (for metrics), or raises."""
    if is_direct_event(event):
        result = shipper.ship(direct_records(event))
        if not result.complete:
            raise IncompleteShipmentError(
                f"{result.pending_events} events not yet shipped or dead-lettered; leaving the event to "
                "Lambda's async retry and on-failure destination", result)
        return {"shipped": result.shipped, "dead_lettered": result.dead_lettered}, result
    if is_kinesis_event(event):
        records = kinesis_records(event)
        result = shipper.ship(records)
        failed = [{"itemIdentifier": r.key} for r in records if r.key in result.unsafe_keys]
        return {"batchItemFailures": failed}, result
    raise UnsupportedEventError("expected a CloudWatch Logs 'awslogs' event or a Kinesis 'Records' event")
