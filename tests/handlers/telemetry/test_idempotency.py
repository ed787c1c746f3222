"""Redelivered messages do not repeat their side effects (DynamoDB state on moto)."""

from __future__ import annotations

import json

import boto3
import pytest

from handlers.telemetry import instrument
from handlers.telemetry.batch import process_sqs_batch
from handlers.telemetry.invocation_state import current
from handlers.telemetry.idempotency import IdempotencyInProgressError, IdempotencyStore, idempotent, record_id
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext, sqs_record


class SideEffects:
    def __init__(self):
        self.calls: list = []


def consumer(effects: SideEffects, fail_once: set | None = None, **options):
    failing = set(fail_once or ())

    @idempotent(**options)
    def charge(record):
        body = json.loads(record.body)
        if body["order_id"] in failing:
            failing.discard(body["order_id"])
            raise RuntimeError("payment provider down")
        effects.calls.append(body["order_id"])
        return {"charged": body["order_id"]}

    @instrument(service="payments")
    def handler(event, context):
        return process_sqs_batch(event, context, charge)

    return handler


def test_redelivered_message_does_not_repeat_the_side_effect(idempotency_table):
    effects = SideEffects()
    handler = consumer(effects)
    event = {"Records": [sqs_record(json.dumps({"order_id": "o1"}), "m1"), sqs_record(json.dumps({"order_id": "o2"}), "m2")]}
    assert handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    assert handler(event, FakeLambdaContext()) == {"batchItemFailures": []}  # SQS delivered the batch again
    assert effects.calls == ["o1", "o2"]


def test_explicit_key_from_the_body_deduplicates_different_message_ids(idempotency_table):
    effects = SideEffects()
    handler = consumer(effects, key=lambda record: json.loads(record.body)["order_id"])
    first = {"Records": [sqs_record(json.dumps({"order_id": "o1"}), "m1")]}
    again = {"Records": [sqs_record(json.dumps({"order_id": "o1"}), "m-other")]}
    handler(first, FakeLambdaContext())
    handler(again, FakeLambdaContext())
    assert effects.calls == ["o1"]


def test_a_failed_attempt_is_released_so_the_retry_runs(idempotency_table):
    effects = SideEffects()
    handler = consumer(effects, fail_once={"o1"})
    event = {"Records": [sqs_record(json.dumps({"order_id": "o1"}), "m1")]}
    assert handler(event, FakeLambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    assert effects.calls == ["o1"]


def test_duplicate_gets_the_stored_result(idempotency_table):
    calls = []

    @idempotent(key=lambda payload: payload["id"])
    def work(payload):
        calls.append(payload)
        return {"result": payload["id"] * 2}

    assert work({"id": 21}) == {"result": 42}
    assert work({"id": 21}) == {"result": 42}
    assert len(calls) == 1


def test_concurrent_delivery_while_in_progress_is_refused_for_a_later_retry(idempotency_table):
    client = boto3.client("dynamodb", region_name=REGION)

    def work(record):
        return "done"

    wrapped = idempotent(work)
    store = IdempotencyStore(idempotency_table, client, 3600)
    item_id = record_id(f"{current.service}#{work.__module__}.{work.__qualname__}", "m1")
    assert store.try_start(item_id) is None  # another invocation holds the key
    with pytest.raises(IdempotencyInProgressError):
        wrapped(sqs_record("{}", "m1"))


def test_table_items_follow_the_documented_schema(idempotency_table):
    @idempotent(key=lambda payload: payload)
    def work(payload):
        return "ok"

    work("k1")
    (item,) = boto3.client("dynamodb", region_name=REGION).scan(TableName=idempotency_table)["Items"]
    assert set(item) == {"id", "status", "expiration", "in_progress_expiration", "data"}
    assert item["status"] == {"S": "COMPLETED"} and item["data"] == {"S": '"ok"'}
    assert "k1" not in item["id"]["S"]  # keys are hashed


def test_missing_key_runs_without_idempotency_and_missing_table_is_an_error(idempotency_table, monkeypatch):
    calls = []

    @idempotent(key=lambda payload: None)
    def work(payload):
        calls.append(payload)

    work(1)
    work(1)
    assert calls == [1, 1]
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    with pytest.raises(RuntimeError, match="IDEMPOTENCY_TABLE"):
        idempotent(lambda record: None)(sqs_record("{}", "m9"))


def test_a_failure_to_record_completion_does_not_fail_the_done_work(idempotency_table, capsys):
    real = boto3.client("dynamodb", region_name=REGION)

    class FailingUpdates:
        exceptions = real.exceptions

        def __getattr__(self, name):
            return getattr(real, name)

        def update_item(self, **kwargs):
            raise RuntimeError("throttled")

    calls = []

    @idempotent(key=lambda payload: payload, client=FailingUpdates())
    def work(payload):
        calls.append(payload)
        return "ok"

    assert work("k") == "ok"
    assert calls == ["k"]
    from tests.handlers.telemetry.helpers import parse_output

    errors = [log for log in parse_output(capsys.readouterr().out).logs if log["level"] == "ERROR"]
    assert errors[0]["message"] == "could not record idempotent completion"


def test_stream_records_are_keyed_by_their_event_id_by_default(idempotency_table):
    from handlers.telemetry.batch import process_dynamodb_batch, process_kinesis_batch
    from tests.handlers.telemetry.helpers import dynamodb_record, kinesis_record

    calls = []

    @idempotent
    def count(record):
        calls.append(record.event_id)

    @instrument(service="aggregate")
    def handler(event, context):
        source = event["Records"][0]["eventSource"]
        return (process_kinesis_batch if source == "aws:kinesis" else process_dynamodb_batch)(event, context, count)

    clicks = {"Records": [kinesis_record("{}", "1"), kinesis_record("{}", "2")]}
    changes = {"Records": [dynamodb_record({"order_id": {"S": "o1"}}, "1", event_id="e1")]}
    for event in (clicks, changes, clicks, changes):  # each batch delivered twice
        assert handler(event, FakeLambdaContext()) == {"batchItemFailures": []}
    assert calls == ["shardId-000000000000:1", "shardId-000000000000:2", "e1"]


@pytest.mark.parametrize(("status", "expires_in_seconds", "runs_again"), [
    ("COMPLETED", -3600, True), ("COMPLETED", -2, True), ("COMPLETED", 3600, False),
    ("INPROGRESS", -2, True), ("INPROGRESS", 3600, False),
])
def test_a_record_past_its_expiry_no_longer_counts(idempotency_table, status, expires_in_seconds, runs_again):
    """DynamoDB's TTL deletes expired items only eventually (up to days later), so an item still
    present past its `expiration` must not block the key nor hand back its stale result."""
    import time

    calls = []

    @idempotent(key=lambda payload: payload)
    def work(payload):
        calls.append(payload)
        return "fresh"

    item_id = record_id(f"{current.service}#{work.__module__}.{work.__qualname__}", "k")
    far_future_ms = str(int(time.time() * 1000) + 3_600_000)  # an in-progress lock that has not lapsed
    boto3.client("dynamodb", region_name=REGION).put_item(TableName=idempotency_table, Item={
        "id": {"S": item_id}, "status": {"S": status}, "data": {"S": '"stale"'},
        "expiration": {"N": str(int(time.time()) + expires_in_seconds)}, "in_progress_expiration": {"N": far_future_ms},
    })
    if status == "INPROGRESS" and not runs_again:
        with pytest.raises(IdempotencyInProgressError):
            work("k")
        return
    assert work("k") == ("fresh" if runs_again else "stale")
    assert calls == (["k"] if runs_again else [])
