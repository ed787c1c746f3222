"""The replay command against moto (S3, SQS, Kinesis) and the local bulk endpoint."""
from __future__ import annotations

import base64
import gzip
import json
import uuid
from typing import Any, Callable

import boto3
import pytest

from handlers.log_shipper import replay
from handlers.log_shipper.events import handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.accounting import assert_exactly_once_or_dead_lettered
from tests.handlers.log_shipper.conftest import BUCKET, dead_letters, fast_policy
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer

GROUP = "/platform/dev/orders/lambda-api"


@pytest.fixture
def sqs(s3: Any) -> Any:
    return boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def queue_url(sqs: Any) -> str:
    """A fresh queue per test: moto is shared by the module and purges are rate limited."""
    return sqs.create_queue(QueueName=f"platform-dev-log-shipping-failures-{uuid.uuid4().hex[:8]}")["QueueUrl"]


def run_replay(server: FakeBulkServer, *extra: str) -> tuple[int, replay.ReplayReport]:
    args = replay.parse_args(["--endpoint", server.url, "--bucket", BUCKET, "--log-index-prefix", "logs-dev",
                              "--trace-index-prefix", "otel-v1-apm-span-dev", "--log-group-prefix", "/platform/dev/",
                              "--environment", "dev", *extra])
    report = replay.run(args, policy=fast_policy())
    return (0 if report.kept_objects == 0 and report.kept_messages == 0 else 1), report


def test_help_and_missing_arguments(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as raised:
        replay.main(["--help"])
    assert raised.value.code == 0 and "--dry-run" in capsys.readouterr().out
    for name in ("OPENSEARCH_ENDPOINT", "DEAD_LETTER_BUCKET", "LOG_INDEX_PREFIX", "TRACE_INDEX_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as raised:
        replay.main([])
    assert raised.value.code == 2 and "--endpoint" in capsys.readouterr().err


def test_document_dead_letters_are_reshipped_then_deleted(server: FakeBulkServer, s3: Any,
                                                          make_shipper: Callable[..., Any]) -> None:
    payloads = [fixtures.payload_json(GROUP, [fixtures.log_event(n, fixtures.json_line(n)) for n in range(10)])]
    server.plan.mapping_conflict_ids.update(fixtures.event_id(n) for n in (2, 5))
    handle_event(fixtures.awslogs_event(payloads[0]), make_shipper())
    assert len(dead_letters(s3)) == 2

    server.plan.mapping_conflict_ids.clear()  # the template was fixed
    code, report = run_replay(server, "--dry-run")
    assert (report.would_ship, report.deleted_objects, len(dead_letters(s3))) == (2, 0, 2)
    assert len(server.documents) == 8

    code, report = run_replay(server)
    assert (code, report.shipped, report.deleted_objects) == (0, 2, 2)
    assert dead_letters(s3) == [] and len(server.documents) == 10
    assert_exactly_once_or_dead_lettered(server, s3, payloads)


def test_a_letter_still_failing_is_kept_with_its_latest_error(server: FakeBulkServer, s3: Any,
                                                              make_shipper: Callable[..., Any]) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(1))
    handle_event(fixtures.awslogs_event(fixtures.payload_json(GROUP, [fixtures.log_event(1, "m")])), make_shipper())
    code, report = run_replay(server)
    assert (code, report.still_failing, report.kept_objects) == (1, 1, 1)
    assert [letter["reason"] for letter in dead_letters(s3)] == ["mapper_parsing_exception"]


def test_replaying_a_document_already_indexed_counts_as_done(server: FakeBulkServer, s3: Any,
                                                             make_shipper: Callable[..., Any]) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(1))
    event = fixtures.awslogs_event(fixtures.payload_json(GROUP, [fixtures.log_event(1, "m")]))
    handle_event(event, make_shipper())
    server.plan.mapping_conflict_ids.clear()
    handle_event(event, make_shipper())  # redelivered after the fix: indexed by the shipper itself
    code, report = run_replay(server)
    assert (code, report.deleted_objects) == (0, 1) and len(server.documents) == 1


def test_undecodable_payload_letters_stay_and_are_reported(server: FakeBulkServer, s3: Any,
                                                           make_shipper: Callable[..., Any]) -> None:
    handle_event({"awslogs": {"data": "%%%"}}, make_shipper())
    code, report = run_replay(server)
    assert code == 1 and report.kept_objects == 1 and "corrupt_base64" in report.problems[0]


def test_payload_letter_that_now_decodes_is_shipped(server: FakeBulkServer, s3: Any) -> None:
    from handlers.log_shipper.dead_letters import DeadLetterStore

    data = fixtures.encode(fixtures.payload_json(GROUP, [fixtures.log_event(1, "m"), fixtures.log_event(2, "n")]))
    DeadLetterStore(s3, BUCKET).put_payload(data, "corrupt_gzip", "decoder bug, since fixed", {"path": "direct"})
    code, report = run_replay(server)
    assert (code, report.shipped, report.deleted_objects) == (0, 2, 1) and dead_letters(s3) == []


def test_lambda_async_failure_records_are_reshipped(server: FakeBulkServer, s3: Any, sqs: Any, queue_url: str) -> None:
    payload = fixtures.payload_json(GROUP, [fixtures.log_event(n, "async line") for n in range(3)])
    failure = {"version": "1.0", "timestamp": "2026-11-18T10:00:00.000Z",
               "requestContext": {"requestId": "r", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                  "condition": "RetriesExhausted", "approximateInvokeCount": 3},
               "requestPayload": fixtures.awslogs_event(payload),
               "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
               "responsePayload": {"errorMessage": "events not yet shipped"}}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(failure))
    sqs.send_message(QueueUrl=queue_url, MessageBody="not json")

    code, report = run_replay(server, "--queue-url", queue_url, "--skip-bucket", "--dry-run")
    assert report.would_ship == 3 and server.documents == {}

    code, report = run_replay(server, "--queue-url", queue_url, "--skip-bucket")
    assert (report.shipped, report.deleted_messages, report.kept_messages) == (3, 1, 1)
    assert "not JSON" in report.problems[0]
    assert_exactly_once_or_dead_lettered(server, s3, [payload])


def test_kinesis_failure_records_are_reread_from_the_stream(server: FakeBulkServer, s3: Any, sqs: Any,
                                                            queue_url: str) -> None:
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    kinesis.create_stream(StreamName="platform-dev-logs", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="platform-dev-logs")["StreamDescription"]["StreamARN"]
    payloads = [fixtures.payload_json(GROUP, [fixtures.log_event(10 * b + n, f"kinesis {b}.{n}") for n in range(4)])
                for b in range(4)]
    sequences = []
    for payload in payloads:
        compressed = gzip.compress(json.dumps(payload).encode())
        put = kinesis.put_record(StreamName="platform-dev-logs", Data=compressed, PartitionKey="p")
        sequences.append((put["ShardId"], put["SequenceNumber"]))
    # Records 1..2 exhausted their retries; 0 and 3 were shipped normally.
    failure = {"requestContext": {"requestId": "r", "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 3},
               "responseContext": {"statusCode": 200, "functionError": "Unhandled"}, "version": "1.0",
               "timestamp": "2026-11-18T10:00:00.000Z",
               "KinesisBatchInfo": {"shardId": sequences[1][0], "startSequenceNumber": sequences[1][1],
                                    "endSequenceNumber": sequences[2][1], "batchSize": 2, "streamArn": stream_arn}}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(failure))
    code, report = run_replay(server, "--queue-url", queue_url, "--skip-bucket")
    assert (code, report.shipped, report.deleted_messages) == (0, 8, 1), report.problems
    assert server.ids() == {e["id"] for p in payloads[1:3] for e in p["logEvents"]}


def test_kinesis_range_no_longer_readable_keeps_the_message(server: FakeBulkServer, s3: Any, sqs: Any,
                                                            queue_url: str) -> None:
    failure = {"KinesisBatchInfo": {"shardId": "shardId-000000000000", "startSequenceNumber": "1",
                                    "endSequenceNumber": "2", "batchSize": 2,
                                    "streamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/deleted-stream"}}
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(failure))
    code, report = run_replay(server, "--queue-url", queue_url, "--skip-bucket")
    assert (code, report.kept_messages, report.deleted_messages) == (1, 1, 0)
    assert "cannot re-read Kinesis range" in report.problems[0]


def test_payload_letter_whose_documents_fail_for_good_becomes_document_letters(server: FakeBulkServer,
                                                                               s3: Any) -> None:
    from handlers.log_shipper.dead_letters import DeadLetterStore

    data = fixtures.encode(fixtures.payload_json(GROUP, [fixtures.log_event(1, "m"), fixtures.log_event(2, "n")]))
    DeadLetterStore(s3, BUCKET).put_payload(data, "corrupt_gzip", "decoder bug, since fixed", {"path": "direct"})
    server.plan.mapping_conflict_ids.add(fixtures.event_id(2))
    code, report = run_replay(server)
    assert report.shipped == 1 and server.ids() == {fixtures.event_id(1)}
    assert [(l["kind"], l["record"]["event"]["id"]) for l in dead_letters(s3)] == [("document", fixtures.event_id(2))]


@pytest.mark.parametrize("literal", ["1e400", "NaN", "100000000000000000000"])
def test_undated_letters_replay_to_the_unparsed_index_or_stay_undated(literal: str, server: FakeBulkServer, s3: Any,
                                                                      make_shipper: Callable[..., Any]) -> None:
    """Reading back a letter whose timestamp has no date must not crash replay, nor move it."""
    text = json.dumps(fixtures.payload_json(GROUP, [{"id": fixtures.event_id(1), "timestamp": "@", "message": "m"}]))
    data = base64.b64encode(gzip.compress(text.replace('"@"', literal).encode())).decode()
    handle_event({"awslogs": {"data": data}}, make_shipper())
    [key] = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert key.startswith("documents/undated/")

    server.plan.mapping_conflict_ids.add(fixtures.event_id(1))
    code, report = run_replay(server)
    assert (code, report.still_failing) == (1, 1)
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == [key]

    server.plan.mapping_conflict_ids.clear()
    code, report = run_replay(server)
    assert (code, report.deleted_objects) == (0, 1)
    assert list(server.documents) == [("logs-dev-orders-unparsed", fixtures.event_id(1))]
