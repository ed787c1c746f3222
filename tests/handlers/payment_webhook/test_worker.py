"""The webhook worker on SQS batches against moto: verified events recorded, bad ones failed alone."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import boto_clients
from handlers.payment_webhook import app
from handlers.payment_webhook.event import PaymentEvent
from handlers.payment_webhook.store import PaymentEvents
from tests.handlers.payment_webhook.conftest import TABLE, payment_body, signature_header, signed_record, stored
from tests.handlers.telemetry.helpers import FakeLambdaContext, parse_output


def run(*records: dict[str, Any]) -> list[str]:
    response = app.handler({"Records": list(records)}, FakeLambdaContext(function_name="platform-test-payment-webhook-worker"))
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_a_signed_event_is_recorded(webhook: Any) -> None:
    body = payment_body()
    assert run(signed_record(body, signature_header(body, signed_at=1_800_000_000), sent_at=1_800_000_002.5)) == []
    assert stored(webhook) == {
        "payment_id": "pay_1",
        "event_id": "evt_1",
        "order_id": "o-1",
        "status": "succeeded",
        "signed_at": "1800000000",
        "received_at": "2027-01-15T08:00:02.500Z",
    }


def test_bad_records_fail_alone_and_the_rest_of_the_batch_is_recorded(webhook: Any, capsys: pytest.CaptureFixture[str]) -> None:
    good = [payment_body(f"evt_{n}", f"pay_{n}") for n in range(3)]
    forged = payment_body("evt_x", "pay_x")
    malformed = '{"event_id": "evt_m"}'
    records = [
        signed_record(good[0], signature_header(good[0])),
        signed_record(forged, signature_header(forged, secret=b"guess")),
        signed_record(good[1], None),
        signed_record(malformed, signature_header(malformed)),
        signed_record(good[2], signature_header(good[2])),
        signed_record(good[2], signature_header(good[2], signed_at=int(time.time()) - 301)),
    ]
    failed = run(*records)
    assert failed == [records[i]["messageId"] for i in (1, 2, 3, 5)]
    assert [stored(webhook, f"pay_{n}").get("event_id") for n in range(3)] == ["evt_0", None, "evt_2"]
    assert stored(webhook, "pay_x") == {}
    reasons = [line.get("exception_type") for line in parse_output(capsys.readouterr().out).logs if line["message"] == "record failed"]
    assert reasons == ["InvalidSignature", "InvalidSignature", "MalformedEvent", "InvalidSignature"]


def test_a_message_that_waited_in_the_queue_is_still_fresh(webhook: Any) -> None:
    """Freshness is judged at receipt (SentTimestamp), so a backlog or a redelivery does not expire it."""
    body, signed_at = payment_body(), int(time.time()) - 3600
    assert run(signed_record(body, signature_header(body, signed_at=signed_at), sent_at=signed_at + 5)) == []


def test_a_redelivered_event_changes_nothing(webhook: Any, capsys: pytest.CaptureFixture[str]) -> None:
    body = payment_body()
    record = signed_record(body, signature_header(body))
    run(record)
    first = stored(webhook)
    assert run(record) == [] and stored(webhook) == first
    emf = parse_output(capsys.readouterr().out).emf
    assert [line.get("PaymentEventsRecorded") for line in emf if "PaymentEventsRecorded" in line] == [1]
    assert any(line.get("PaymentEventsSuperseded") == 1 for line in emf)


def test_the_secret_is_read_once_per_container(webhook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = boto_clients.client("secretsmanager")
    reads = []
    original = client.get_secret_value
    monkeypatch.setattr(client, "get_secret_value", lambda **kwargs: reads.append(kwargs) or original(**kwargs))
    for n in range(3):
        body = payment_body(f"evt_{n}")
        run(signed_record(body, signature_header(body)))
    assert len(reads) == 1


def test_without_its_settings_the_worker_names_what_is_missing(webhook: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME")
    with pytest.raises(RuntimeError, match="TABLE_NAME is not set"):
        run()
    monkeypatch.delenv("WEBHOOK_SECRET_ARN")
    with pytest.raises(RuntimeError, match="WEBHOOK_SECRET_ARN is not set"):
        run()


events = st.lists(
    st.tuples(st.sampled_from(["evt_a", "evt_b", "evt_c"]), st.integers(1_800_000_000, 1_800_000_003)),
    min_size=1,
    max_size=4,
    unique_by=lambda pair: pair[0],
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events, st.data())
def test_every_arrival_order_and_duplication_keeps_the_same_latest_event(webhook: Any, sent: list[tuple[str, int]], data: st.DataObject) -> None:
    webhook.delete_item(TableName=TABLE, Key={"payment_id": {"S": "pay_1"}})
    store = PaymentEvents(webhook, TABLE)
    arrivals = data.draw(st.permutations(list(itertools.chain(sent, sent[:1]))))
    for event_id, signed_at in arrivals:
        store.record(PaymentEvent(event_id, "pay_1", "o-1", event_id.removeprefix("evt_")), signed_at, "t")
    latest_id, latest_time = max(sent, key=lambda pair: (pair[1], pair[0]))
    assert (stored(webhook)["event_id"], stored(webhook)["signed_at"]) == (latest_id, str(latest_time))


def test_the_worker_links_each_record_to_its_producer(webhook: Any, spans: Any) -> None:
    body = payment_body()
    record = signed_record(body, signature_header(body))
    record["messageAttributes"]["traceparent"] = {"stringValue": "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01", "dataType": "String"}
    run(record)
    process = next(span for span in spans.get_finished_spans() if span.name.endswith("process") and span.links)
    assert f"{process.links[0].context.span_id:016x}" == "53995c3f42cd8ad8"
    assert json.loads(body)["event_id"] == stored(webhook)["event_id"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=120)))
def test_any_unsigned_body_fails_alone_and_records_nothing(webhook: Any, body: str, header: str | None) -> None:
    webhook.delete_item(TableName=TABLE, Key={"payment_id": {"S": "pay_ok"}})  # examples share the table
    good = payment_body("evt_ok", "pay_ok")
    records = [signed_record(body, header), signed_record(good, signature_header(good))]
    assert run(*records) == [records[0]["messageId"]]
    assert webhook.scan(TableName=TABLE, Select="COUNT")["Count"] == 1


ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,40}\Z")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids, ids, ids, st.from_regex(r"\A[a-z][a-z_]{0,31}\Z"), st.integers(-300, 300))
def test_any_genuine_event_signed_within_the_tolerance_is_recorded(webhook: Any, event_id: str, payment_id: str, order_id: str,
                                                                   status: str, skew: int) -> None:
    webhook.delete_item(TableName=TABLE, Key={"payment_id": {"S": payment_id}})  # examples share the table
    body = payment_body(event_id, payment_id, status, order_id)
    now = int(time.time())
    assert run(signed_record(body, signature_header(body, signed_at=now), sent_at=now + skew)) == []
    assert stored(webhook, payment_id)["event_id"] == event_id
