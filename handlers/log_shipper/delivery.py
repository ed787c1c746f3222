"""The delivery loop: send documents in chunks and settle each one as shipped, permanently
failed (to be dead-lettered) or still pending when time ran out (to be redelivered by Lambda).

No document ever leaves this loop unaccounted for; that invariant is what the fault-injection
tests check.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Iterator, Sequence

from handlers.log_shipper.bulk_client import BulkTransport
from handlers.log_shipper.documents import Document
from handlers.log_shipper.failures import (PermanentFailure, RequestFailure, item_is_retryable,
                                           item_is_success)
from handlers.log_shipper.outage import OutageGuard
from handlers.log_shipper.retry_policy import RemainingMs, RetryPolicy, Sleep, no_deadline, real_sleep

FIVE_MIB = 5 * 1024 * 1024
_ndjson_of = attrgetter("ndjson")


@dataclass
class DeliveryReport:
    shipped: list[Document] = field(default_factory=list)
    failed: list[tuple[Document, PermanentFailure]] = field(default_factory=list)
    pending: list[Document] = field(default_factory=list)
    retried: int = 0
    requests: int = 0
    endpoint_refusing: bool = False  # stopped early: the endpoint refused everything past the outage budget


def chunk_documents(documents: Sequence[Document], max_bytes: int) -> Iterator[list[Document]]:
    """Greedy chunks of at most ``max_bytes`` uncompressed; an oversized document travels alone."""
    if sum(map(len, map(_ndjson_of, documents))) <= max_bytes:  # the usual case, summed at C speed
        if documents:
            yield list(documents)
        return
    chunk: list[Document] = []
    size = 0
    for document in documents:
        length = len(document.ndjson)
        if chunk and size + length > max_bytes:
            yield chunk
            chunk, size = [], 0
        chunk.append(document)
        size += length
    if chunk:
        yield chunk


class Deliverer:
    def __init__(self, transport: BulkTransport, policy: RetryPolicy | None = None,
                 remaining_ms: RemainingMs = no_deadline, sleep: Sleep = real_sleep,
                 max_chunk_bytes: int = FIVE_MIB, guard: OutageGuard | None = None) -> None:
        self._transport = transport
        self._policy = policy or RetryPolicy()
        self._remaining_ms = remaining_ms
        self._sleep = sleep
        self.max_chunk_bytes = max_chunk_bytes
        self._guard = guard if guard is not None else OutageGuard()

    def bind(self, remaining_ms: RemainingMs, policy: RetryPolicy, max_chunk_bytes: int) -> None:
        """Point a deliverer kept for the container at the next invocation's deadline; what the
        last invocation learnt of the cluster's size limit is forgotten, as with a new one."""
        self._remaining_ms = remaining_ms
        self._policy = policy
        self.max_chunk_bytes = max_chunk_bytes

    def deliver(self, documents: Sequence[Document]) -> DeliveryReport:
        report = DeliveryReport()
        pending = list(documents)
        attempt = 0
        while pending:
            if attempt >= self._policy.max_attempts:
                break
            if attempt:
                delay = self._policy.backoff_seconds(attempt)
                if self._policy.usable_ms(self._remaining_ms()) - delay * 1000 <= 0:
                    break
                if not self._guard.allows(report.requests, after_seconds=delay):
                    report.endpoint_refusing = True
                    break
                self._sleep(delay)
                report.retried += len(pending)
            retry: list[Document] = []
            for chunk in chunk_documents(pending, self.max_chunk_bytes):
                if not self._guard.allows(report.requests):
                    report.endpoint_refusing = True
                    retry.extend(chunk)  # left for Lambda to redeliver, like time running out
                    continue
                self._send(chunk, report, retry, may_refresh=True)
            pending = retry
            attempt += 1
        report.pending = pending
        return report

    def _send(self, chunk: list[Document], report: DeliveryReport, retry: list[Document], may_refresh: bool) -> None:
        timeout = min(self._policy.request_timeout_seconds, self._policy.usable_ms(self._remaining_ms()) / 1000)
        if timeout <= 0:
            retry.extend(chunk)
            return
        body = b"".join([document.ndjson for document in chunk])
        report.requests += 1
        try:
            response = self._transport.bulk(body, timeout)
        except RequestFailure as failure:
            if failure.kind in ("retryable", "expired_credentials"):
                self._guard.refused()
            else:
                self._guard.answered()
            self._settle_request_failure(failure, chunk, body, report, retry, may_refresh)
            return
        self._guard.answered()
        self._settle_items(chunk, response, report, retry)

    def _settle_request_failure(self, failure: RequestFailure, chunk: list[Document], body: bytes,
                                report: DeliveryReport, retry: list[Document], may_refresh: bool) -> None:
        if failure.kind == "too_large":
            if len(chunk) == 1:
                report.failed.append((chunk[0], PermanentFailure(
                    "request_entity_too_large", failure.status, "a single document exceeds the cluster's "
                    f"http.max_content_length ({len(body)} bytes uncompressed)")))
                return
            # Learn the cluster's limit so the remaining chunks are not rejected one by one.
            self.max_chunk_bytes = max(1, min(self.max_chunk_bytes, len(body) // 2))
            middle = len(chunk) // 2
            self._send(chunk[:middle], report, retry, may_refresh)
            self._send(chunk[middle:], report, retry, may_refresh)
        elif failure.kind == "expired_credentials" and may_refresh:
            self._transport.refresh_credentials()
            report.retried += len(chunk)
            self._send(chunk, report, retry, may_refresh=False)
        elif failure.kind in ("retryable", "expired_credentials"):
            retry.extend(chunk)
        else:
            permanent = PermanentFailure("request_rejected", failure.status, failure.detail)
            report.failed.extend((document, permanent) for document in chunk)

    @staticmethod
    def _settle_items(chunk: list[Document], response: dict[str, Any], report: DeliveryReport,
                      retry: list[Document]) -> None:
        items = response.get("items")
        if not isinstance(items, list):
            items = []
        if response.get("errors") is False and len(items) == len(chunk):
            report.shipped.extend(chunk)
            return
        for position, document in enumerate(chunk):
            result = _item_result(items, position)
            status = result.get("status")
            if not isinstance(status, int) or result.get("_id", document.id) != document.id:
                retry.append(document)  # a response we cannot match to the document: be safe, resend
            elif item_is_success(status):
                report.shipped.append(document)
            elif item_is_retryable(status):
                retry.append(document)
            else:
                error = result.get("error") if isinstance(result.get("error"), dict) else {}
                report.failed.append((document, PermanentFailure(
                    str(error.get("type") or f"status_{status}"), status, str(error.get("reason") or ""))))


def _item_result(items: list[Any], position: int) -> dict[str, Any]:
    if position >= len(items) or not isinstance(items[position], dict) or not items[position]:
        return {}
    result = next(iter(items[position].values()))
    return result if isinstance(result, dict) else {}
