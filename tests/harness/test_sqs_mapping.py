"""SQS event source mapping: deletes what succeeded, and moto's redrive policy takes the poison."""

from __future__ import annotations

import boto3
import pytest

from tests.handlers.telemetry.helpers import REGION
from tests.harness import MappingStuck
from tests.harness import sample_handlers
from tests.harness.aws_resources import bodies, make_queue
from tests.harness.batch_response import judge
from tests.harness.event_sources import MappingSpec

PARTIAL = "tests.harness.sample_handlers.partial"
FUNCTION = "platform-test-worker"


@pytest.fixture(autouse=True)
def fresh_calls():
    sample_handlers.calls.clear()


def queues(name: str, max_receive_count: int | None = 3, fifo: bool = False) -> tuple[str, str, str | None]:
    queue = make_queue(name, max_receive_count=max_receive_count, fifo=fifo)
    return queue.url, queue.arn, queue.dlq_url


def send(url: str, *bodies: str, group: str | None = None) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    for index, body in enumerate(bodies):
        extra = {"MessageGroupId": group, "MessageDeduplicationId": f"{group}-{index}-{body}"} if group else {}
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}}, **extra)


def test_a_batch_that_succeeds_is_deleted_and_looks_like_a_lambda_sqs_event(lambda_harness):
    url, arn, dlq = queues("platform-test-ok")
    send(url, "a", "b", "c")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])

    (result,) = mapping.drain()

    assert result.action == "deleted" and len(result.succeeded) == 3
    record = result.records[0]
    assert record["eventSource"] == "aws:sqs" and record["eventSourceARN"] == arn and record["awsRegion"] == REGION
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {"stringValue": "test", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    assert bodies(url) == [] and bodies(dlq) == []


def test_a_poison_message_reaches_the_dlq_after_max_receive_count_without_blocking_the_others(lambda_harness):
    url, arn, dlq = queues("platform-test-poison", max_receive_count=3)
    send(url, "good-1", "poison", "good-2")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])

    results = mapping.drain()

    contents = [call["content"] for call in sample_handlers.calls]
    assert contents.count("poison") == 3  # received maxReceiveCount times, then redriven
    assert contents.count("good-1") == contents.count("good-2") == 1  # never redelivered, never blocked
    assert results[0].failed and results[0].action == "retry"
    assert bodies(url) == [] and bodies(dlq) == ["poison"]  # nothing lost


def test_without_report_batch_item_failures_the_response_is_ignored(lambda_harness):
    url, arn, dlq = queues("platform-test-ignored")
    send(url, "poison", "good")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn)
    (result,) = mapping.drain()
    assert result.action == "deleted" and bodies(url) == [] and bodies(dlq) == []


def test_a_function_error_returns_the_whole_batch(lambda_harness):
    url, arn, dlq = queues("platform-test-raise", max_receive_count=2)
    send(url, "good", "poison")
    lambda_harness.deploy(FUNCTION, "tests.harness.sample_handlers.raise_on_poison")
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    results = mapping.drain()
    assert all(result.verdict.kind == "failure" for result in results)
    assert bodies(dlq) == ["good", "poison"]  # a crash fails every message of the batch


def test_an_unknown_item_identifier_fails_the_whole_batch(lambda_harness):
    url, arn, dlq = queues("platform-test-unknown", max_receive_count=1)
    send(url, "a", "b")
    lambda_harness.deploy(FUNCTION, "tests.harness.sample_handlers.unknown_identifier")
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    (result,) = mapping.drain()
    assert result.verdict.kind == "failure" and "invalid batch item failure" in result.verdict.reason
    assert bodies(dlq) == ["a", "b"]


def test_fifo_order_holds_per_group_and_a_failing_group_does_not_block_another(lambda_harness):
    url, arn, dlq = queues("platform-test-fifo", max_receive_count=2, fifo=True)
    send(url, "o1-placed", "o1-poison", "o1-paid", group="o1")
    send(url, "o2-placed", "o2-paid", group="o2")
    lambda_harness.deploy(FUNCTION, "tests.harness.sample_handlers.fifo_partial")
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])

    mapping.drain()

    processed = [call["content"] for call in sample_handlers.calls if call.get("processed")]
    assert processed.index("o2-placed") < processed.index("o2-paid")
    assert processed.count("o1-placed") == 1 and "o1-paid" not in processed  # stopped behind its poison...
    assert bodies(dlq) == ["o1-paid", "o1-poison"]  # ...until both were dead-lettered, in place


def test_drain_refuses_to_loop_forever_on_a_poison_message_without_a_dlq(lambda_harness):
    url, arn, _ = queues("platform-test-no-dlq", max_receive_count=None)
    send(url, "poison")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, FunctionResponseTypes=["ReportBatchItemFailures"])
    with pytest.raises(MappingStuck, match="still has work after 5 batches"):
        mapping.drain(max_batches=5)


def test_a_disabled_mapping_polls_nothing(lambda_harness):
    url, arn, _ = queues("platform-test-disabled")
    send(url, "a")
    lambda_harness.deploy(FUNCTION, PARTIAL)
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=arn, Enabled=False)
    assert mapping.drain() == [] and bodies(url) == ["a"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q"}, "FunctionName is required"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:s3:::bucket"}, "is not an SQS queue"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "BatchSize": 11}, "BatchSize must be 1-10"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "MaximumRetryAttempts": 2}, "stream sources only"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FilterCriteria": {}}, "not supported by the harness"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}, "StartingPosition must be"),
        ({"FunctionName": "f", "EventSourceArn": "arn:aws:sqs:us-east-1:123456789012:q", "FunctionResponseTypes": ["Other"]}, "may only contain"),
    ],
)
def test_mapping_parameters_are_validated_with_a_clear_message(spec, message):
    with pytest.raises(ValueError, match=message):
        MappingSpec.from_api(spec)


IDS = ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    "payload, kind, failed",
    [
        (b"", "success", ()),
        (b"null", "success", ()),
        (b"{}", "success", ()),
        (b'{"batchItemFailures": []}', "success", ()),
        (b'{"batchItemFailures": null}', "success", ()),
        (b'{"batchItemFailures": [{"itemIdentifier": "m3"}, {"itemIdentifier": "m2"}]}', "partial", ("m2", "m3")),
        (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', "failure", ()),
        (b'{"batchItemFailures": [{"itemIdentifier": null}]}', "failure", ()),
        (b'{"batchItemFailures": [{"itemId": "m1"}]}', "failure", ()),
        (b'{"batchItemFailures": [{"itemIdentifier": "m9"}]}', "failure", ()),
        (b'{"batchItemFailures": "m1"}', "failure", ()),
        (b'"done"', "failure", ()),
        (b"{broken", "failure", ()),
    ],
)
def test_batch_responses_are_judged_as_the_lambda_documentation_lists(payload, kind, failed):
    verdict = judge(None, payload, True, IDS)
    assert (verdict.kind, verdict.failed) == (kind, failed)


def test_a_function_error_is_a_complete_failure_whatever_the_payload():
    assert judge("Unhandled", b'{"batchItemFailures": []}', True, IDS).kind == "failure"
