"""SQS batches with partial failure reporting, one traced span per record.

Built on Powertools' BatchProcessor (standard queues) and SqsFifoPartialProcessor (FIFO
queues). A failing record is reported in `batchItemFailures` so SQS redelivers only it;
on a FIFO queue processing stops at the first failure and every later record is reported
too, because processing them would break the group's ordering.

The function needs `ReportBatchItemFailures` on the event source mapping.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, SqsFifoPartialProcessor
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.telemetry.propagation import record_span
from handlers.telemetry.structured_logger import logger

RecordHandler = Callable[[SQSRecord], Any]


def is_fifo_batch(event: Mapping[str, Any]) -> bool:
    records = event.get("Records") or []
    return bool(records) and str(records[0].get("eventSourceARN", "")).endswith(".fifo")


def traced(record_handler: RecordHandler) -> Callable[..., Any]:
    """Wrap the user's handler so each record runs inside its own linked span, with its id in logs."""

    def handle(record: SQSRecord) -> Any:
        raw = record.raw_event
        logger.append_keys(message_id=record.message_id)
        try:
            with record_span(raw):
                return record_handler(record)
        except Exception as error:
            logger.exception("record failed", exc=error)
            raise
        finally:
            logger.remove_keys("message_id")

    return handle


def process_sqs_batch(
    event: Mapping[str, Any],
    context: Any,
    record_handler: RecordHandler,
    *,
    fifo: bool | None = None,
    skip_group_on_error: bool = False,
) -> dict[str, list[dict[str, str]]]:
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
    # When every record fails, still answer with the list: SQS then retries them all, exactly as
    # a raised error would, without marking the invocation itself as a crash.
    processor.raise_on_entire_batch_failure = False
    records = list(event.get("Records") or [])
    with processor(records=records, handler=traced(record_handler), lambda_context=context):
        processor.process()
    response = processor.response()
    failures = response.get("batchItemFailures", [])
    if failures:
        logger.warning("batch had failed records", failed=len(failures), total=len(records))
    return {"batchItemFailures": list(failures)}
