"""Pure builders: the records Lambda's pollers hand a function, and what they send on failure.

Each builder takes what the source's own read API returned (SQS ReceiveMessage, Kinesis and
DynamoDB Streams GetRecords, through boto3) and gives the record exactly as it appears in a
Lambda event, field names and encodings included (base64 data, epoch-second timestamps,
camelCase attribute keys). Shapes follow the AWS Lambda developer guide's event examples.
"""

from __future__ import annotations

import base64
import time
from datetime import datetime
from typing import Any, Mapping, Sequence

STREAM_BATCH_INFO_KEY = {"kinesis": "KinesisBatchInfo", "dynamodb": "DDBStreamBatchInfo"}


def iso_utc(epoch_seconds: float) -> str:
    whole = int(epoch_seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((epoch_seconds - whole) * 1000):03d}Z"


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _sqs_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode("ascii")
    return attribute


def sqs_event_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """A ReceiveMessage message (all attributes requested) as an SQS event record."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {name: _sqs_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()},
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def kinesis_event_record(record: Mapping[str, Any], shard_id: str, stream_arn: str, role_arn: str) -> dict[str, Any]:
    """A Kinesis GetRecords record as a Kinesis event record (data base64-encoded again)."""
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record["PartitionKey"],
            "sequenceNumber": record["SequenceNumber"],
            "data": base64.b64encode(record["Data"]).decode("ascii"),
            "approximateArrivalTimestamp": _epoch(record["ApproximateArrivalTimestamp"]),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": stream_arn.split(":")[3],
        "eventSourceARN": stream_arn,
    }


def lambda_attribute_value(value: Mapping[str, Any]) -> dict[str, Any]:
    """One DynamoDB AttributeValue as Lambda's JSON has it: binary as base64, nested maps and lists alike."""
    (kind, inner), = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": {name: lambda_attribute_value(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [lambda_attribute_value(item) for item in inner]}
    return {kind: inner}


def dynamodb_event_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """A DynamoDB Streams GetRecords record as a DynamoDB event record."""
    change = dict(record["dynamodb"])
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = {name: lambda_attribute_value(value) for name, value in change[image].items()}
    if "ApproximateCreationDateTime" in change:
        change["ApproximateCreationDateTime"] = int(_epoch(change["ApproximateCreationDateTime"]))
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": stream_arn.split(":")[3],
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def stream_failure_record(
    kind: str,
    *,
    function_arn: str,
    request_id: str,
    invoke_count: int,
    function_error: str | None,
    shard_id: str,
    records: Sequence[Mapping[str, Any]],
    stream_arn: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The invocation record Lambda sends to a stream mapping's on-failure destination.

    It describes the discarded batch (shard and sequence-number range), not its data: the
    records stay in the stream for as long as its retention lasts.
    """
    first, last = records[0], records[-1]
    sequence = (lambda record: record["kinesis"]["sequenceNumber"]) if kind == "kinesis" else (lambda record: record["dynamodb"]["SequenceNumber"])
    arrival = (lambda record: record["kinesis"]["approximateArrivalTimestamp"]) if kind == "kinesis" else (
        lambda record: record["dynamodb"].get("ApproximateCreationDateTime", 0))
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = function_error
    return {
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": iso_utc(now if now is not None else time.time()),
        STREAM_BATCH_INFO_KEY[kind]: {
            "shardId": shard_id,
            "startSequenceNumber": sequence(first),
            "endSequenceNumber": sequence(last),
            "approximateArrivalOfFirstRecord": iso_utc(float(arrival(first))),
            "approximateArrivalOfLastRecord": iso_utc(float(arrival(last))),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def async_destination_record(
    *,
    function_arn: str,
    request_id: str,
    condition: str,
    invoke_count: int,
    request_payload: Any,
    response_payload: Any,
    function_error: str | None,
    now: float | None = None,
) -> dict[str, Any]:
    """The invocation record Lambda sends to an asynchronous invocation's destination."""
    response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if function_error:
        response["functionError"] = function_error
    return {
        "version": "1.0",
        "timestamp": iso_utc(now if now is not None else time.time()),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": request_payload,
        "responseContext": response,
        "responsePayload": response_payload,
    }
