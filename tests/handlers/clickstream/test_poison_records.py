"""The click stream end to end through the harness's Kinesis event source mapping: bisection
isolates each poison record, which reaches the on-failure destination after the retries,
while every good record is counted exactly once and the shard moves on."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.handlers.clickstream.conftest import TABLE, click, create_table, views
from tests.handlers.telemetry.helpers import REGION
from tests.harness import LambdaHarness
from tests.harness.aws_resources import make_queue, receive_all

STREAM = "platform-test-clickstream"
CONSUMER = "platform-test-clickstream-consumer"
RETRIES = 2
POISONS = ["not json", '{"session_id": "s-1", "page": "menu", "event": "page_view"}', '["a list"]']


@pytest.mark.parametrize("poison_at", [[9], [2, 7], [0, 1, 2]], ids=lambda at: "poison at " + ",".join(map(str, at)))
def test_poison_records_go_to_the_on_failure_destination_and_the_rest_count_once(lambda_harness: LambdaHarness, poison_at: list[int]) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table(dynamodb)
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]["StreamARN"]
    failures = make_queue("platform-test-clickstream-failures")
    lambda_harness.deploy(CONSUMER, "handlers.clickstream.app.handler", service="clickstream", environment={"TABLE_NAME": TABLE})
    sent = []
    for index in range(10):
        data = POISONS[index % len(POISONS)] if index in poison_at else click(f"/page-{index % 3}")
        put = kinesis.put_record(StreamName=STREAM, Data=data.encode(), PartitionKey="s-1")  # API Gateway: the session id
        sent.append((put["SequenceNumber"], data))

    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=CONSUMER, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON", BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"], BisectBatchOnFunctionError=True, MaximumRetryAttempts=RETRIES,
        DestinationConfig={"OnFailure": {"Destination": failures.arn}})
    batches = mapping.drain()

    good = [data for index, (_, data) in enumerate(sent) if index not in poison_at]
    expected: dict[str, int] = {}
    for data in good:
        page = json.loads(data)["page"]
        expected[page] = expected.get(page, 0) + 1
    assert {page: count for (page, _), count in views(dynamodb).items()} == expected  # each good record once
    discarded = [json.loads(message["Body"])["KinesisBatchInfo"] for message in receive_all(failures.url)]
    assert sorted((info["startSequenceNumber"], info["batchSize"]) for info in discarded) == sorted(
        (sent[index][0], 1) for index in poison_at)  # each poison record alone, nothing good with it
    assert mapping.poll() is None  # the shard is not blocked
    assert all(batch.action != "discarded" or len(batch.records) == 1 for batch in batches)


def test_a_record_that_fails_for_a_while_is_counted_once_it_succeeds(lambda_harness: LambdaHarness, monkeypatch: Any) -> None:
    """A transient failure (here: the table missing at first) is retried, not discarded, and counted once."""
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName=STREAM)["StreamDescription"]["StreamARN"]
    lambda_harness.deploy(CONSUMER, "handlers.clickstream.app.handler", service="clickstream", environment={"TABLE_NAME": TABLE})
    for index in range(3):
        kinesis.put_record(StreamName=STREAM, Data=click("/menu").encode(), PartitionKey=f"s-{index}")
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=CONSUMER, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON", BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"], BisectBatchOnFunctionError=True, MaximumRetryAttempts=RETRIES)
    first = mapping.poll()
    assert first is not None and first.action == "bisected"  # the table does not exist yet
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    create_table(dynamodb)
    mapping.drain()
    assert views(dynamodb) and sum(views(dynamodb).values()) == 3
