"""Re-shipping what the shipper could not: S3 dead letters and on-failure destination records.

Nothing is deleted until its documents are confirmed indexed (201) or already present (409),
so a replay interrupted at any point can simply be run again.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Iterator

from handlers.log_shipper.cloudwatch_payload import PayloadError, decode_payload, event_from_json
from handlers.log_shipper.dead_letters import DOCUMENT_PREFIX, PAYLOAD_PREFIX, DeadLetterStore
from handlers.log_shipper.delivery import Deliverer
from handlers.log_shipper.documents import Document, Origin
from handlers.log_shipper.pipeline import RawRecord, Shipper

S3_BATCH = 500
SQS_VISIBILITY_SECONDS = 300
KINESIS_MAX_READS = 1_000


@dataclass
class ReplayReport:
    shipped: int = 0
    still_failing: int = 0
    deleted_objects: int = 0
    kept_objects: int = 0
    deleted_messages: int = 0
    kept_messages: int = 0
    would_ship: int = 0
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _objects(s3: Any, bucket: str, prefix: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def _read_json(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def document_from_dead_letter(letter: dict[str, Any]) -> Document:
    """The stored document, to its stored index, under its event id: replay cannot duplicate."""
    record = letter["record"]
    event = record["event"]
    origin = Origin(record.get("owner", ""), record.get("log_group", ""), record.get("log_stream", ""),
                    tuple(record.get("subscription_filters", ())))
    return Document(letter["index"], letter["document_id"], letter["document"], event_from_json(event), origin)


def replay_document_letters(s3: Any, bucket: str, deliverer: Deliverer, store: DeadLetterStore,
                            report: ReplayReport, dry_run: bool) -> None:
    keys = list(_objects(s3, bucket, DOCUMENT_PREFIX))
    for start in range(0, len(keys), S3_BATCH):
        batch = [(key, document_from_dead_letter(_read_json(s3, bucket, key))) for key in keys[start:start + S3_BATCH]]
        if dry_run:
            report.would_ship += len(batch)
            continue
        key_of = {id(document): key for key, document in batch}
        delivery = deliverer.deliver([document for _, document in batch])
        for document in delivery.shipped:
            s3.delete_object(Bucket=bucket, Key=key_of[id(document)])
            report.deleted_objects += 1
        report.shipped += len(delivery.shipped)
        # Still failing for good: refresh the stored error so the object says why, today.
        store.put_documents(delivery.failed)
        report.still_failing += len(delivery.failed) + len(delivery.pending)
        report.kept_objects += len(delivery.failed) + len(delivery.pending)


def replay_payload_letters(s3: Any, bucket: str, shipper: Shipper, report: ReplayReport, dry_run: bool) -> None:
    """Undecodable payloads are retried in case the decoder was the problem; most stay put."""
    for key in list(_objects(s3, bucket, PAYLOAD_PREFIX)):
        letter = _read_json(s3, bucket, key)
        raw = letter.get("raw_payload", "")
        try:
            events = decode_payload(raw).event_count
        except PayloadError as error:
            report.kept_objects += 1
            report.problems.append(f"{key}: still undecodable ({error.reason})")
            continue
        if dry_run:
            report.would_ship += events
            continue
        result = shipper.ship([RawRecord(raw, key, letter.get("source", {}))])
        _settle_object(s3, bucket, key, result.complete, result.shipped, report)


def _settle_object(s3: Any, bucket: str, key: str, complete: bool, shipped: int, report: ReplayReport) -> None:
    report.shipped += shipped
    if complete:
        s3.delete_object(Bucket=bucket, Key=key)
        report.deleted_objects += 1
    else:
        report.kept_objects += 1


def replay_queue(sqs: Any, queue_url: str, kinesis: Any, shipper: Shipper, report: ReplayReport, dry_run: bool,
                 max_messages: int, stream_override: str | None = None) -> None:
    """Drain the on-failure queue once; unfinished messages reappear after their visibility timeout."""
    handled = 0
    seen: set[str] = set()
    # A dry run must leave messages visible for the real run, so it reads with a zero visibility
    # timeout and stops once the queue only returns messages it has already looked at.
    visibility = 0 if dry_run else SQS_VISIBILITY_SECONDS
    while handled < max_messages:
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=min(10, max_messages - handled),
                                       VisibilityTimeout=visibility, WaitTimeSeconds=0)
        messages = [m for m in received.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            return
        for message in messages:
            seen.add(message["MessageId"])
            handled += 1
            done = _replay_message(message, kinesis, shipper, report, dry_run, stream_override)
            if done and not dry_run:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                report.deleted_messages += 1
            else:
                report.kept_messages += 1


def _replay_message(message: dict[str, Any], kinesis: Any, shipper: Shipper, report: ReplayReport, dry_run: bool,
                    stream_override: str | None) -> bool:
    try:
        body = json.loads(message["Body"])
    except ValueError:
        report.problems.append(f"message {message['MessageId']}: body is not JSON")
        return False
    records = records_from_failure(body, kinesis, stream_override, report, message["MessageId"])
    if records is None:
        return False
    if dry_run:
        for record in records:
            try:
                report.would_ship += decode_payload(record.data).event_count
            except PayloadError:
                pass
        return False
    result = shipper.ship(records)
    report.shipped += result.shipped
    return result.complete


def records_from_failure(body: dict[str, Any], kinesis: Any, stream_override: str | None, report: ReplayReport,
                         message_id: str) -> list[RawRecord] | None:
    """Both on-failure record kinds: async invoke (carries the event) and Kinesis (carries a range)."""
    payload = body.get("requestPayload")
    if isinstance(payload, dict) and isinstance(payload.get("awslogs"), dict):
        return [RawRecord(payload["awslogs"].get("data", ""), message_id, {"path": "replay-async", "message_id": message_id})]
    batch = body.get("KinesisBatchInfo")
    if isinstance(batch, dict):
        try:
            return list(read_kinesis_range(kinesis, stream_override or batch["streamArn"], batch["shardId"],
                                           batch["startSequenceNumber"], batch["endSequenceNumber"]))
        except Exception as error:  # noqa: BLE001 - e.g. records past retention; keep the message
            report.problems.append(f"message {message_id}: cannot re-read Kinesis range ({error})")
            return None
    report.problems.append(f"message {message_id}: not a Lambda or Kinesis on-failure record")
    return None


def _stream_argument(stream: str) -> dict[str, str]:
    return {"StreamARN": stream} if stream.startswith("arn:") else {"StreamName": stream}


def _stream_arn_only(stream: str) -> dict[str, str]:
    return {"StreamARN": stream} if stream.startswith("arn:") else {}


def read_kinesis_range(kinesis: Any, stream: str, shard_id: str, start: str, end: str) -> Iterator[RawRecord]:
    """The records from ``start`` to ``end`` inclusive, read again from the stream."""
    iterator = kinesis.get_shard_iterator(ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          StartingSequenceNumber=start, **_stream_argument(stream))["ShardIterator"]
    last = int(end)
    for _ in range(KINESIS_MAX_READS):
        if not iterator:
            return
        response = kinesis.get_records(ShardIterator=iterator, Limit=1000, **_stream_arn_only(stream))
        for record in response.get("Records", []):
            sequence = record["SequenceNumber"]
            if int(sequence) > last:
                return
            yield RawRecord(base64.b64encode(record["Data"]).decode("ascii"), sequence,
                            {"path": "replay-kinesis", "sequence_number": sequence, "shard_id": shard_id})
            if int(sequence) == last:
                return
        if not response.get("Records") and response.get("MillisBehindLatest", 0) == 0:
            return
        iterator = response.get("NextShardIterator")
