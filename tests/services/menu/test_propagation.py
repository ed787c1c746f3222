"""The app's AWS calls carry its trace: SQS keeps it as `AWSTraceHeader` (which the handlers read) and Lambda
receives it as the `X-Amzn-Trace-Id` header of the Invoke request."""
from __future__ import annotations

import boto3
import pytest
from moto.server import ThreadedMotoServer
from cafe_menu import telemetry
from handlers.telemetry.propagation import extract_record
from tests.handlers.local_http import LoopbackJSONServer

CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class FakeLambda(LoopbackJSONServer):
    methods = ("POST",)

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[dict[str, str]] = []

    def respond(self, method, path, headers, body):
        self.headers.append(headers)
        return 200, {"ok": True}


@pytest.fixture(scope="module", autouse=True)
def provider():
    return telemetry.configure_tracing("platform-test-menu-app", exporter="none")


def _in_request(header: str):
    return telemetry.RequestSpan({"X-Amzn-Trace-Id": header}, "GET", "/menu", "/menu")


def test_a_message_sent_to_sqs_carries_the_request_trace_to_its_consumer():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        sqs = telemetry.trace_aws_calls(boto3.client("sqs", endpoint_url=f"http://{host}:{port}", **CREDENTIALS))
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        request = _in_request("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
        sqs.send_message(QueueUrl=url, MessageBody="{}")
        request.finish(200)
        message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    finally:
        server.stop()
    record = {"eventSource": "aws:sqs", "attributes": message["Attributes"], "messageAttributes": {}}
    producer = extract_record(record)
    assert producer is not None
    assert f"{producer.span_context.trace_id:032x}" == "5759e988bd862e3fe1be46a994272793"


def test_a_lambda_invoke_carries_the_client_span_as_parent():
    with FakeLambda() as fake:
        client = telemetry.trace_aws_calls(boto3.client("lambda", endpoint_url=fake.url, **CREDENTIALS))
        request = _in_request("Root=1-6a2b3c4d-0123456789abcdef01234567")
        client.invoke(FunctionName="platform-dev-data-extractor-function", Payload=b"{}")
        request.finish(200)
    sent = fake.headers[-1]["x-amzn-trace-id"]
    assert sent.startswith("Root=1-6a2b3c4d-0123456789abcdef01234567;Parent=")
    assert "Sampled=1" in sent
