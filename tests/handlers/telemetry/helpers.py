"""Test doubles shared by the telemetry and orders tests: Lambda context, events, output parsing."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
XRAY_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
XRAY_HEADER = f"Root={XRAY_ROOT};Parent=53995c3f42cd8ad8;Sampled=1"


@dataclass
class FakeLambdaContext:
    function_name: str = "platform-dev-orders-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    remaining_ms: int = 30_000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Output:
    logs: list[dict[str, Any]]
    spans: list[dict[str, Any]]
    emf: list[dict[str, Any]]


def parse_output(text: str) -> Output:
    """Every stdout line must be one JSON object; sort them by what they are."""
    logs, spans, emf = [], [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        assert isinstance(record, dict), line
        if record.get("record_type") == "span":
            spans.append(record)
        elif "_aws" in record:
            emf.append(record)
        else:
            logs.append(record)
    return Output(logs, spans, emf)


def api_event(method: str, path: str, body: Any = None, query: dict[str, str] | None = None, resource: str | None = None,
              path_parameters: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json"},
        "queryStringParameters": query,
        "pathParameters": path_parameters,
        "body": body if body is None or isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {"requestId": str(uuid.uuid4()), "stage": "dev", "identity": {"sourceIp": "203.0.113.9", "userAgent": "pytest"}},
    }


def sqs_event_from_messages(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """What Lambda's SQS event source mapping hands the function, built from ReceiveMessage output."""
    records = []
    for message in messages:
        attributes = {
            name: {"stringValue": value.get("StringValue"), "dataType": value.get("DataType"), "stringListValues": [], "binaryListValues": []}
            for name, value in (message.get("MessageAttributes") or {}).items()
        }
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": dict(message.get("Attributes") or {}),
                "messageAttributes": attributes,
                "md5OfBody": message.get("MD5OfBody"),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
        )
    return {"Records": records}


def receive_all(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"], WaitTimeSeconds=0,
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


def sqs_record(body: str, message_id: str | None = None, message_attributes: dict[str, Any] | None = None,
               attributes: dict[str, str] | None = None, queue: str = "platform-dev-orders-events") -> dict[str, Any]:
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": body,
        "attributes": attributes or {},
        "messageAttributes": message_attributes or {},
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}",
        "awsRegion": REGION,
    }


def kinesis_record(data: bytes | str, sequence_number: str, partition_key: str = "session-1", stream: str = "platform-dev-clickstream",
                   shard: str = "shardId-000000000000") -> dict[str, Any]:
    """One record of a Kinesis event as Lambda delivers it (data base64-encoded)."""
    raw = data.encode() if isinstance(data, str) else data
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": partition_key,
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(raw).decode(),
            "approximateArrivalTimestamp": 1795324529.854,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT}:role/consumer",
        "awsRegion": REGION,
        "eventSourceARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/{stream}",
    }


def dynamodb_record(new_image: dict[str, Any] | None, sequence_number: str, event_name: str = "INSERT",
                    table: str = "platform-dev-orders-table", event_id: str | None = None) -> dict[str, Any]:
    """One record of a DynamoDB stream event (NEW_IMAGE view) as Lambda delivers it."""
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": 1795324529,
        "Keys": {"order_id": (new_image or {}).get("order_id", {"S": "o-1"})},
        "SequenceNumber": sequence_number,
        "SizeBytes": 100,
        "StreamViewType": "NEW_IMAGE",
    }
    if new_image is not None:
        change["NewImage"] = new_image
    return {
        "eventID": event_id or uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}/stream/2026-11-22T05:15:29.854",
    }
