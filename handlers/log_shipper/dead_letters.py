"""Dead-letter objects in S3: everything needed to replay a record that failed for good.

Keys are deterministic (event date, log group, event id; or the payload's hash), so dead-
lettering the same record again on a redelivery overwrites one object instead of adding a
second one, and replay can delete exactly what it re-shipped.
"""
from __future__ import annotations

import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Sequence

from handlers.log_shipper.cloudwatch_payload import UndatedEvent
from handlers.log_shipper.documents import Document, index_date
from handlers.log_shipper.failures import PermanentFailure

SCHEMA = "log-shipper-dead-letter/v1"
DOCUMENT_PREFIX = "documents/"
PAYLOAD_PREFIX = "payloads/"
UNDATED = "undated"
PUT_WORKERS = 8


def document_key(document: Document) -> str:
    """Computed before any S3 call and outside every ``try``, so it must hold for any event:
    one without a usable date is filed under ``undated/`` instead of a day."""
    event = document.event
    day = UNDATED if type(event) is UndatedEvent else index_date(event.timestamp).replace(".", "/")
    log_group = document.origin.log_group.strip("/") or "_no_log_group"
    return f"{DOCUMENT_PREFIX}{day}/{log_group}/{document.event.id}.json"


def payload_key(raw_payload: str | bytes) -> str:
    raw = raw_payload.encode("utf-8") if isinstance(raw_payload, str) else raw_payload
    return f"{PAYLOAD_PREFIX}{hashlib.sha256(raw).hexdigest()}.json"


def document_dead_letter(document: Document, failure: PermanentFailure, now: float) -> dict[str, Any]:
    origin = document.origin
    return {
        "schema": SCHEMA,
        "kind": "document",
        "reason": failure.reason,
        "error": failure.as_json(),
        "dead_lettered_at": _iso(now),
        "record": {
            "owner": origin.owner,
            "log_group": origin.log_group,
            "log_stream": origin.log_stream,
            "subscription_filters": list(origin.subscription_filters),
            "event": {"id": document.event.id, "timestamp": document.event.timestamp,
                      "message": document.event.message},
        },
        "index": document.index,
        "document_id": document.id,
        "document": document.source,
    }


def payload_dead_letter(raw_payload: str | bytes, reason: str, detail: str, source: dict[str, Any],
                        now: float) -> dict[str, Any]:
    raw = raw_payload.decode("ascii", "backslashreplace") if isinstance(raw_payload, bytes) else raw_payload
    return {
        "schema": SCHEMA,
        "kind": "payload",
        "reason": reason,
        "error": {"reason": reason, "status": None, "detail": detail},
        "dead_lettered_at": _iso(now),
        "source": source,
        "raw_payload": raw,
    }


def _iso(now: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


class DeadLetterStore:
    """Writes dead letters; reports which ones could not be stored so they are never dropped."""

    def __init__(self, s3_client: Any, bucket: str, clock: Callable[[], float] = time.time) -> None:
        self._s3 = s3_client
        self._bucket = bucket
        self._clock = clock

    def put_documents(self, failures: Sequence[tuple[Document, PermanentFailure]]) -> list[Document]:
        """Returns the documents whose dead letter could not be written."""
        now = self._clock()
        jobs = [(document_key(document), document_dead_letter(document, failure, now), document)
                for document, failure in failures]
        if len(jobs) <= 1:
            return [document for key, body, document in jobs if not self._put(key, body)]
        with ThreadPoolExecutor(max_workers=min(PUT_WORKERS, len(jobs))) as pool:
            stored = list(pool.map(lambda job: self._put(job[0], job[1]), jobs))
        return [job[2] for job, ok in zip(jobs, stored) if not ok]

    def put_payload(self, raw_payload: str | bytes, reason: str, detail: str, source: dict[str, Any]) -> bool:
        body = payload_dead_letter(raw_payload, reason, detail, source, self._clock())
        return self._put(payload_key(raw_payload), body)

    def _put(self, key: str, body: dict[str, Any]) -> bool:
        try:
            self._s3.put_object(Bucket=self._bucket, Key=key, ContentType="application/json",
                                Body=json.dumps(body).encode("ascii"))  # ASCII escapes survive lone surrogates
        except Exception:  # noqa: BLE001 - any failure means "not stored", and the caller keeps the record
            return False
        return True
