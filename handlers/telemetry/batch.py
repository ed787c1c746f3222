"""Batches from SQS, Kinesis and DynamoDB streams with partial failure reporting, one traced
span per record.

One mechanism serves the three sources: Powertools' batch processor turns each raw record
into its data class (`SQSRecord`, `KinesisStreamRecord`, `DynamoDBRecord`) and collects the
failures; `traced` runs the caller's record handler inside the record's own CONSUMER span,
linked to its producer, with the record's identifiers on every log line it writes.

What differs is what a failure means:
- standard SQS queue: every failed record is reported and redelivered alone;
- FIFO queue: processing stops at the first failure and every later record is reported too,
  because processing them would break the group's ordering;
- Kinesis and DynamoDB streams: processing stops at the first failure, which alone is
  reported. Lambda retries a stream batch from the lowest reported sequence number, so the
  records after it come back anyway; processing them now would do their work twice, and out
  of order.

The function needs `ReportBatchItemFailures` on the event source mapping.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, TypedDict

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, SqsFifoPartialProcessor
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.telemetry.propagation import record_span
from handlers.telemetry.structured_logger import logger

RecordHandler = Callable[[Any], Any]
LogKeys = Callable[[Mapping[str, Any]], dict[str, Any]]


class BatchItemFailure(TypedDict):
    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[BatchItemFailure]


def sqs_log_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {"message_id": raw.get("messageId")}


def kinesis_log_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    payload = raw.get("kinesis") or {}
    return {"sequence_number": payload.get("sequenceNumber"), "partition_key": payload.get("partitionKey")}


def dynamodb_log_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    change = raw.get("dynamodb") or {}
    return {"event_id": raw.get("eventID"), "event_name": raw.get("eventName"), "sequence_number": change.get("SequenceNumber")}


def is_fifo_batch(event: Mapping[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and str(records[0].get("eventSourceARN", "")).endswith(".fifo")


def traced(record_handler: RecordHandler, log_keys: LogKeys = sqs_log_keys) -> Callable[[Any], Any]:
    """Wrap the user's handler so each record runs inside its own linked span, with its ids in logs."""

    def handle(record: Any) -> Any:
        raw = record.raw_event
        keys = log_keys(raw)
        logger.append_keys(**keys)
        try:
            with record_span(raw):
                return record_handler(record)
        except Exception as error:
            logger.exception("record failed", exc=error)
            raise
        finally:
            logger.remove_keys(*keys)

    return handle


class StreamBatchProcessor(BatchProcessor):
    """Powertools' processor, stopping at the first failed record of a Kinesis or DynamoDB batch."""

    def __init__(self, event_type: EventType) -> None:
        super().__init__(event_type=event_type)
        self.skipped = 0

    def _prepare(self) -> None:
        super()._prepare()
        self.skipped = 0

    def _process_record(self, record: dict) -> Any:
        if self.fail_messages:
            self.skipped += 1
            return ("skipped", None, record)
        return super()._process_record(record)


def run_batch(
    event: Mapping[str, Any], context: Any, record_handler: RecordHandler, processor: BatchProcessor, log_keys: LogKeys
) -> PartialBatchResponse:
    """The mechanism every source shares: traced records, failures collected, one summary line."""
    # When every record fails, still answer with the list: the source then retries them all,
    # exactly as a raised error would, without marking the invocation itself as a crash.
    processor.raise_on_entire_batch_failure = False
    records = list(event.get("Records") or [])
    with processor(records=records, handler=traced(record_handler, log_keys), lambda_context=context):
        processor.process()
    failures: list[BatchItemFailure] = list(processor.response().get("batchItemFailures", []))  # type: ignore[arg-type]
    if failures:
        skipped = getattr(processor, "skipped", 0)
        extra = {"skipped": skipped} if skipped else {}
        logger.warning("batch had failed records", failed=len(failures), total=len(records), **extra)
    return {"batchItemFailures": failures}


def process_sqs_batch(
    event: Mapping[str, Any],
    context: Any,
    record_handler: Callable[[SQSRecord], Any],
    *,
    fifo: bool | None = None,
    skip_group_on_error: bool = False,
) -> PartialBatchResponse:
    """Run `record_handler(record)` for each SQS record; return the partial batch response.

    `fifo` defaults to what the queue ARN says. With `skip_group_on_error`, a FIFO failure
    only stops its own message group instead of the rest of the batch.
    """
    use_fifo = is_fifo_batch(event) if fifo is None else fifo
    processor: BatchProcessor
    if use_fifo:
        processor = SqsFifoPartialProcessor(skip_group_on_error=skip_group_on_error)
    else:
        processor = BatchProcessor(event_type=EventType.SQS)
    return run_batch(event, context, record_handler, processor, sqs_log_keys)


def process_kinesis_batch(
    event: Mapping[str, Any], context: Any, record_handler: Callable[[KinesisStreamRecord], Any]
) -> PartialBatchResponse:
    """Run `record_handler(record)` for each Kinesis record, in order, until one fails.

    The failed record's sequence number is reported; Lambda resumes the shard from it.
    """
    return run_batch(event, context, record_handler, StreamBatchProcessor(EventType.KinesisDataStreams), kinesis_log_keys)


def process_dynamodb_batch(
    event: Mapping[str, Any], context: Any, record_handler: Callable[[DynamoDBRecord], Any]
) -> PartialBatchResponse:
    """Run `record_handler(record)` for each DynamoDB stream record, in order, until one fails.

    The failed record's sequence number is reported; Lambda resumes the shard from it. The
    record's span links to the writer through the item's `trace_context` attribute.
    """
    return run_batch(event, context, record_handler, StreamBatchProcessor(EventType.DynamoDBStreams), dynamodb_log_keys)
