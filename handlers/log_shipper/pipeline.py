"""One shipping run over a batch of raw subscription payloads: decode, transform, deliver,
dead-letter, and say which input records must be redelivered.

Both entry shapes (direct ``awslogs`` and Kinesis) come through here, so they share one
guarantee: every event is indexed, dead-lettered, or its record is reported unsafe.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable, Hashable, Iterable, NamedTuple

from handlers.log_shipper.cloudwatch_payload import LogsPayload, PayloadError, decode_payload
from handlers.log_shipper.dead_letters import DeadLetterStore
from handlers.log_shipper.delivery import Deliverer
from handlers.log_shipper.documents import (Document, IndexNaming, document_from_event, payload_context,
                                             unparsed_document)
from handlers.log_shipper.failures import PermanentFailure
from handlers.log_shipper.log_groups import service_from_log_group


NEVER_SHIPPED_SERVICES = frozenset({"log-shipping", "opensearch"})
_timestamp_of = itemgetter(1)  # LogEvent.timestamp, without a Python-level call per event


class RawRecord(NamedTuple):
    """One subscription payload as received, plus where it came from (for dead letters).
    A named tuple: one is made per record of every invocation, at a third of a dataclass's cost."""

    data: str | bytes
    key: Hashable
    source: dict[str, Any]


@dataclass
class ShipmentResult:
    """Counts for the EMF metrics, and the input records that are not yet safe to acknowledge."""

    received: int = 0
    shipped: int = 0
    retried: int = 0
    dead_lettered: int = 0
    max_lag_ms: int = 0
    control_messages: int = 0
    loop_guarded_events: int = 0
    unsafe_keys: set[Hashable] = field(default_factory=set)
    pending_events: int = 0
    endpoint_refusing: bool = False  # delivery stopped early on an endpoint refusing everything

    @property
    def complete(self) -> bool:
        return not self.unsafe_keys


class Shipper:
    """Bound to one invocation's deadline through its Deliverer: built per invocation, or kept for
    the container and bound again (``wiring.bind_to_invocation``)."""

    def __init__(self, naming: IndexNaming, deliverer: Deliverer, dead_letters: DeadLetterStore,
                 max_document_bytes: int = 1024 * 1024,
                 now_ms: Callable[[], int] = lambda: int(time.time() * 1000)) -> None:
        self._naming = naming
        self.deliverer = deliverer
        self._dead_letters = dead_letters
        self._max_document_bytes = max_document_bytes
        self._now_ms = now_ms

    def ship(self, records: Iterable[RawRecord]) -> ShipmentResult:
        result = ShipmentResult()
        documents: list[Document] = []
        rejected: list[tuple[Document, PermanentFailure]] = []
        oldest = None
        for record in records:
            payload = self._decode(record, result)
            if payload is None:
                continue
            result.received += payload.event_count
            if payload.events:
                payload_oldest = min(map(_timestamp_of, payload.events))
                oldest = payload_oldest if oldest is None else min(oldest, payload_oldest)
            self._transform(payload, record.key, documents, rejected)
        if oldest is not None:
            result.max_lag_ms = max(0, self._now_ms() - oldest)

        report = self.deliverer.deliver(documents)
        result.shipped = len(report.shipped)
        result.retried = report.retried
        result.endpoint_refusing = report.endpoint_refusing
        for document in report.pending:
            result.unsafe_keys.add(document.origin.record_key)
        result.pending_events = len(report.pending)

        failures = rejected + report.failed
        unstored = self._dead_letters.put_documents(failures) if failures else []
        result.dead_lettered += len(failures) - len(unstored)
        for document in unstored:
            result.unsafe_keys.add(document.origin.record_key)
        result.pending_events += len(unstored)
        return result

    def _decode(self, record: RawRecord, result: ShipmentResult) -> LogsPayload | None:
        try:
            payload = decode_payload(record.data)
        except PayloadError as error:
            if self._dead_letters.put_payload(record.data, error.reason, error.detail, record.source):
                result.dead_lettered += 1
            else:
                result.unsafe_keys.add(record.key)
            return None
        if payload.is_control:
            result.control_messages += 1
            return None
        if service_from_log_group(payload.log_group, self._naming.log_group_prefix) in NEVER_SHIPPED_SERVICES:
            # A misconfigured subscription on our own logs would ship every shipment's logs again,
            # growing without bound; these groups are excluded by convention (docs/conventions.md).
            result.loop_guarded_events += payload.event_count
            return None
        return payload

    def _transform(self, payload: LogsPayload, key: Hashable, documents: list[Document],
                   rejected: list[tuple[Document, PermanentFailure]]) -> None:
        naming = self._naming
        context = payload_context(payload, naming, key)
        limit = self._max_document_bytes
        for undated in payload.undated_events:
            rejected.append((unparsed_document(undated, context, naming), PermanentFailure(
                undated.reason, None, f"timestamp {str(undated.timestamp)[:100]} is not a time from "
                f"1970-01-01 to 9999-12-31 in milliseconds since the epoch")))
        for event in payload.events:
            try:
                document = document_from_event(event, context, naming)
            except Exception as error:  # noqa: BLE001 - one odd event must not sink the batch
                rejected.append((unparsed_document(event, context, naming),
                                 PermanentFailure("transform_error", None, repr(error)[:500])))
                continue
            if len(document.ndjson) > limit:
                rejected.append((document, PermanentFailure(
                    "document_too_large", None, f"{len(document.ndjson)} bytes > limit {limit}")))
            else:
                documents.append(document)
