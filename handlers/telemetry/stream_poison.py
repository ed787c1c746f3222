"""Let Lambda isolate a stream record that keeps failing, so the records beside it are not lost.

For Kinesis and DynamoDB streams Lambda retries a partial batch response from the lowest
reported sequence number, and only a function *error* makes it bisect the batch
(`BisectBatchOnFunctionError`). When the first record of a batch is the one that fails, a
partial response makes no progress: the same records come back, fail at the same place, and
once `MaximumRetryAttempts` is used up Lambda discards the poison record *together with every
record after it in that batch*, none of which was processed. Raising instead lets Lambda split
the batch until the poison record is alone; it alone is then discarded to the on-failure
destination and everything else is processed.

So: a failure after the first record is a partial response (the records before it are done,
Lambda resumes at it, and it becomes the first record of the next batch); a failure of the
first record is raised.
"""

from __future__ import annotations

from typing import Any, Mapping

from handlers.telemetry.batch import PartialBatchResponse


class FirstRecordFailed(Exception):
    """The batch's first record failed: raised so that Lambda bisects the batch."""


def _sequence_number(record: Mapping[str, Any]) -> Any:
    if "kinesis" in record:
        return (record.get("kinesis") or {}).get("sequenceNumber")
    return (record.get("dynamodb") or {}).get("SequenceNumber")


def raise_if_first_record_failed(event: Mapping[str, Any], response: PartialBatchResponse) -> PartialBatchResponse:
    """The partial batch response, unless it names the batch's first record: then raise."""
    records = event.get("Records") or []
    failures = response.get("batchItemFailures") or []
    if records and any(failure.get("itemIdentifier") == _sequence_number(records[0]) for failure in failures):
        raise FirstRecordFailed(
            f"the first record of the batch ({_sequence_number(records[0])}) failed; raising so that Lambda bisects the batch"
        )
    return response
