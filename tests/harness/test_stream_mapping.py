"""Kinesis and DynamoDB stream mappings: checkpoints, partial responses, bisecting, discards."""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from tests.handlers.telemetry.helpers import REGION
from tests.harness import MappingStuck
from tests.harness import sample_handlers
from tests.harness.aws_resources import bodies, make_queue, topic_with_inbox

FUNCTION = "platform-test-stream-worker"
PARTIAL = "tests.harness.sample_handlers.partial"
RAISE = "tests.harness.sample_handlers.raise_on_poison"


@pytest.fixture(autouse=True)
def fresh_calls():
    sample_handlers.calls.clear()


def failure_queue() -> tuple[str, str]:
    queue = make_queue("platform-test-stream-failures")
    return queue.url, queue.arn


def failure_records(url: str) -> list[dict]:
    return [json.loads(body) for body in bodies(url)]


def table_stream() -> tuple[str, callable]:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    description = dynamodb.create_table(
        TableName="platform-test-things",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]

    def write(*texts: str) -> None:
        for text in texts:
            dynamodb.put_item(TableName="platform-test-things", Item={
                "id": {"S": text}, "text": {"S": text}, "blob": {"B": b"\x00\x01"}, "nested": {"M": {"tags": {"L": [{"B": b"\xff"}]}}}})

    return description["LatestStreamArn"], write


def kinesis_stream() -> tuple[str, callable]:
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="platform-test-clicks", ShardCount=1)
    arn = kinesis.describe_stream(StreamName="platform-test-clicks")["StreamDescription"]["StreamARN"]

    def write(*texts: str) -> None:
        for text in texts:
            kinesis.put_record(StreamName="platform-test-clicks", Data=text.encode(), PartitionKey="p")

    return arn, write


@pytest.fixture(params=["dynamodb", "kinesis"])
def stream(request, lambda_harness):
    return table_stream() if request.param == "dynamodb" else kinesis_stream()


def contents() -> list[str]:
    return [call["content"] for call in sample_handlers.calls]


def test_dynamodb_records_look_like_a_lambda_dynamodb_event(lambda_harness):
    arn, write = table_stream()
    write("a")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    (result,) = mapping.drain()
    (record,) = result.records
    assert record["eventSource"] == "aws:dynamodb" and record["eventName"] == "INSERT" and record["eventSourceARN"] == arn
    change = record["dynamodb"]
    assert change["Keys"] == {"id": {"S": "a"}} and change["NewImage"]["text"] == {"S": "a"}
    assert change["NewImage"]["blob"] == {"B": base64.b64encode(b"\x00\x01").decode()}  # base64, as in Lambda's JSON
    assert change["NewImage"]["nested"] == {"M": {"tags": {"L": [{"B": base64.b64encode(b"\xff").decode()}]}}}
    assert isinstance(change["SequenceNumber"], str) and isinstance(change["ApproximateCreationDateTime"], int)


def test_kinesis_records_look_like_a_lambda_kinesis_event(lambda_harness):
    arn, write = kinesis_stream()
    write("hello")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    (result,) = mapping.drain()
    (record,) = result.records
    assert base64.b64decode(record["kinesis"]["data"]) == b"hello" and record["kinesis"]["partitionKey"] == "p"
    assert record["eventID"] == f"{result.shard_id}:{record['kinesis']['sequenceNumber']}"
    assert record["eventSource"] == "aws:kinesis" and record["invokeIdentityArn"] == lambda_harness.role_arn()


def test_the_checkpoint_moves_past_processed_records_only(stream, lambda_harness):
    arn, write = stream
    write("a", "b")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BatchSize=10)
    assert [result.action for result in mapping.drain()] == ["checkpointed"]
    write("c")
    assert mapping.poll().records and mapping.poll() is None
    assert contents() == ["a", "b", "c"]  # in order, each once


def test_latest_starts_after_the_records_already_there(stream, lambda_harness):
    arn, write = stream
    write("old")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="LATEST")
    write("new")
    mapping.drain()
    assert contents() == ["new"]


def test_a_partial_response_retries_from_the_first_failed_record(stream, lambda_harness):
    arn, write = stream
    url, queue_arn = failure_queue()
    write("a", "poison", "c")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", FunctionResponseTypes=["ReportBatchItemFailures"],
        MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": queue_arn}})

    results = mapping.drain()

    assert [result.action for result in results] == ["retry", "retry", "discarded"]
    assert contents() == ["a", "poison", "poison", "poison"]  # "a" once; the handler stops at the poison
    (record,) = failure_records(url)
    info = record["DDBStreamBatchInfo" if "dynamodb" in arn else "KinesisBatchInfo"]
    poison_sequence = results[0].failed[0]
    assert info["startSequenceNumber"] == poison_sequence and info["batchSize"] == 2  # the poison and what came after it
    assert info["endSequenceNumber"] == results[0].failed[-1] and info["streamArn"] == arn
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted" and record["requestContext"]["approximateInvokeCount"] == 3


def test_bisecting_isolates_the_poison_record_and_everything_else_is_processed(stream, lambda_harness):
    arn, write = stream
    url, queue_arn = failure_queue()
    write("a", "b", "poison", "d", "e")
    lambda_harness.deploy(FUNCTION, RAISE)
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": queue_arn}})

    results = mapping.drain()

    (discarded,) = [result for result in results if result.action == "discarded"]
    assert [sample_handlers.content(record) for record in discarded.records] == ["poison"]  # isolated
    assert {"a", "b", "d", "e"} <= set(contents())  # everything around it got through
    assert {"bisected", "checkpointed"} <= {result.action for result in results}
    (record,) = failure_records(url)
    info = record["DDBStreamBatchInfo" if "dynamodb" in arn else "KinesisBatchInfo"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == info["endSequenceNumber"] == discarded.failed[0]
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert mapping.poll() is None  # the shard moved on


def test_a_poison_record_with_infinite_retries_blocks_the_shard_and_drain_says_so(stream, lambda_harness):
    arn, write = stream
    write("poison", "after")
    lambda_harness.deploy(FUNCTION, RAISE)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    with pytest.raises(MappingStuck, match="MaximumRetryAttempts -1"):
        mapping.drain(max_batches=4)
    assert "after" in contents()  # in the same failing batch, retried with it, never checkpointed


def test_the_failure_destination_may_be_an_sns_topic(lambda_harness):
    arn, write = table_stream()
    topic, inbox = topic_with_inbox("platform-test-stream-failures", raw=True)
    write("poison")
    lambda_harness.deploy(FUNCTION, RAISE)
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=arn, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}})
    assert [result.action for result in mapping.drain()] == ["discarded"]
    assert "DDBStreamBatchInfo" in failure_records(inbox.url)[0]
