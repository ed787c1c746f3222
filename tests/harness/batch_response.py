"""How Lambda reads a function's answer to a batch (pure).

With `ReportBatchItemFailures` on the mapping, the AWS documentation (SQS, Kinesis and DynamoDB
partial batch response pages) lists the outcomes:
- complete success: an empty or null `batchItemFailures` list, an empty or null response;
- complete failure: the function raised, the response is not a JSON object, `batchItemFailures`
  is not a list, or an entry has an empty, null, badly keyed or unknown `itemIdentifier`;
- otherwise only the listed records failed. For streams the lowest sequence number among them
  is the checkpoint: everything before it succeeded, everything from it on is retried.
Without `ReportBatchItemFailures` the response is ignored: no error means the whole batch succeeded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Sequence

Kind = Literal["success", "partial", "failure"]


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    failed: tuple[str, ...] = ()  # the identifiers reported, in batch order, for "partial"
    reason: str = ""


def judge(function_error: str | None, payload: bytes, report_batch_item_failures: bool, identifiers: Sequence[str]) -> Verdict:
    if function_error:
        return Verdict("failure", reason=f"function error ({function_error})")
    if not report_batch_item_failures:
        return Verdict("success")
    try:
        response: Any = json.loads(payload) if payload.strip() else None
    except ValueError:
        return Verdict("failure", reason="response is not JSON")
    if response is None or response == {}:
        return Verdict("success")
    if not isinstance(response, dict):
        return Verdict("failure", reason="response is not a JSON object")
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return Verdict("success")
    if not isinstance(failures, list):
        return Verdict("failure", reason="batchItemFailures is not a list")
    known = set(identifiers)
    reported: set[str] = set()
    for entry in failures:
        identifier = entry.get("itemIdentifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return Verdict("failure", reason=f"invalid batch item failure {entry!r}")
        reported.add(identifier)
    return Verdict("partial", tuple(identifier for identifier in identifiers if identifier in reported))
