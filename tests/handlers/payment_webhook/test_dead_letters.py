"""The webhook queue end to end through the harness's SQS event source mapping: bad messages
reach the dead-letter queue after the receive count, without holding up the good ones."""

from __future__ import annotations

import boto3

from tests.handlers.payment_webhook.conftest import TABLE, create_table_and_secret, payment_body, signature_header
from tests.handlers.telemetry.helpers import REGION
from tests.harness import LambdaHarness
from tests.harness.aws_resources import bodies, make_queue, receive_all

MAX_RECEIVES = 3
WORKER = "platform-test-payment-webhook-worker"


def api_gateway_send(queue_url: str, body: str, signature: str | None) -> None:
    """What the API ingest route's SendMessage integration does with a request."""
    attributes = {"signature": {"DataType": "String", "StringValue": signature}} if signature is not None else {}
    boto3.client("sqs", region_name=REGION).send_message(QueueUrl=queue_url, MessageBody=body, MessageAttributes=attributes)


def test_poison_messages_reach_the_dlq_after_the_receive_count_and_good_ones_are_recorded(lambda_harness: LambdaHarness) -> None:
    dynamodb, secret_arn = create_table_and_secret()
    queue = make_queue("platform-test-payment-webhook-queue", max_receive_count=MAX_RECEIVES)
    lambda_harness.deploy(WORKER, "handlers.payment_webhook.app.handler", service="payment-webhook",
                          environment={"TABLE_NAME": TABLE, "WEBHOOK_SECRET_ARN": secret_arn})
    good = [payment_body(f"evt_{n}", f"pay_{n}") for n in range(4)]
    forged, malformed = payment_body("evt_forged", "pay_forged"), "not json at all"
    poison = {forged: signature_header(forged, secret=b"a guess"), malformed: signature_header(malformed), good[3]: None}
    for body in good[:3]:
        api_gateway_send(queue.url, body, signature_header(body))
    for body, signature in poison.items():
        api_gateway_send(queue.url, body, signature)

    mapping = lambda_harness.create_event_source_mapping(FunctionName=WORKER, EventSourceArn=queue.arn, BatchSize=10,
                                                         FunctionResponseTypes=["ReportBatchItemFailures"])
    batches = mapping.drain()

    assert sorted(batches[0].succeeded) == sorted(record["messageId"] for record in batches[0].records if record["body"] in good[:3])
    recorded = [item["payment_id"]["S"] for item in dynamodb.scan(TableName=TABLE)["Items"]]
    assert sorted(recorded) == ["pay_0", "pay_1", "pay_2"]
    assert receive_all(queue.url) == []  # nothing left behind, nothing blocking
    assert bodies(queue.dlq_url) == sorted(poison)  # every bad message kept, none lost
    assert len(batches) == MAX_RECEIVES  # each poison message was received exactly maxReceiveCount times
    assert all(not batch.invocation.failed for batch in batches)  # reported as item failures, never a crashed invocation
