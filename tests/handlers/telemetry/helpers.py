"""Test doubles shared by the telemetry and orders tests: Lambda context, events, output parsing."""

from __future__ import annotations

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
