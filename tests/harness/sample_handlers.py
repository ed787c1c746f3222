"""Small handlers the harness tests deploy: each shows one thing the harness must get right."""

from __future__ import annotations

import base64
import json
import os
from decimal import Decimal
from typing import Any

import boto3

ENV_SEEN = ("_HANDLER", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "_X_AMZN_TRACE_ID",
            "SERVICE_NAME", "COLOUR", "LEAK_CHECK", "TELEMETRY_XRAY_PATCH", "AWS_LAMBDA_LOG_GROUP_NAME")
calls: list[dict[str, Any]] = []  # every record a batch handler saw, in order (tests reset it)


def echo(event: Any, context: Any) -> dict[str, Any]:
    custom = context.client_context.custom if context.client_context else None
    return {
        "event": event,
        "env": {name: os.environ.get(name) for name in ENV_SEEN},
        "context": {
            "function_name": context.function_name,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "log_stream_name": context.log_stream_name,
            "client_custom": custom,
        },
    }


def fail(event: Any, context: Any) -> None:
    raise ValueError(f"cannot handle {event!r}")


def decimal_result(event: Any, context: Any) -> dict[str, Any]:
    return {"total": Decimal(event["total"])}


def unmarshallable(event: Any, context: Any) -> Any:
    return {"items": {1, 2}}


def call_other(event: Any, context: Any) -> dict[str, Any]:
    """Synchronous invoke from handler code, as daily-report calls data-extractor."""
    client = boto3.client("lambda", region_name=os.environ["AWS_REGION"])
    answer = client.invoke(FunctionName=event["target"], Payload=json.dumps(event["payload"]).encode())
    return {"answer": json.loads(answer["Payload"].read()), "error": answer.get("FunctionError"),
            "own_colour_after": os.environ.get("COLOUR")}


def content(record: dict[str, Any]) -> str:
    if record.get("eventSource") == "aws:sqs":
        return record["body"]
    if record.get("eventSource") == "aws:kinesis":
        return base64.b64decode(record["kinesis"]["data"]).decode()
    return record["dynamodb"]["NewImage"]["text"]["S"]


def _identifier(record: dict[str, Any]) -> str:
    if record.get("eventSource") == "aws:sqs":
        return record["messageId"]
    if record.get("eventSource") == "aws:kinesis":
        return record["kinesis"]["sequenceNumber"]
    return record["dynamodb"]["SequenceNumber"]


def partial(event: Any, context: Any) -> dict[str, Any]:
    """Reports every record whose content contains "poison"; streams stop at the first one."""
    failures = []
    for record in event["Records"]:
        text = content(record)
        calls.append({"content": text, "id": _identifier(record)})
        if "poison" in text:
            failures.append({"itemIdentifier": _identifier(record)})
            if record.get("eventSource") != "aws:sqs":
                break
    return {"batchItemFailures": failures}


def raise_on_poison(event: Any, context: Any) -> None:
    """Fails the whole invocation when any record is poison (what bisecting is for)."""
    for record in event["Records"]:
        calls.append({"content": content(record), "id": _identifier(record)})
    if any("poison" in content(record) for record in event["Records"]):
        raise RuntimeError("poison in batch")


def unknown_identifier(event: Any, context: Any) -> dict[str, Any]:
    calls.extend({"content": content(record), "id": _identifier(record)} for record in event["Records"])
    return {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}


def task(event: Any, context: Any) -> dict[str, Any]:
    """A Step Functions task: adds one to `n`, refuses negative input."""
    if event.get("n", 0) < 0:
        raise ValueError("n must not be negative")
    return {"n": event.get("n", 0) + 1, "function": context.function_name}


def fifo_partial(event: Any, context: Any) -> dict[str, Any]:
    """A FIFO consumer: a poison record stops its message group (it and the group's later records
    are reported); other groups in the batch go on."""
    failures: list[dict[str, str]] = []
    stopped: set[str] = set()
    for record in event["Records"]:
        group = record["attributes"]["MessageGroupId"]
        if group in stopped or "poison" in record["body"]:
            stopped.add(group)
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        calls.append({"content": record["body"], "id": record["messageId"], "processed": True})
    return {"batchItemFailures": failures}
