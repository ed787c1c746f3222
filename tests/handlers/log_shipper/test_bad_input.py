"""Bad records never crash the shipper: they are dead-lettered with their reason and raw bytes,
and the good records in the same batch still ship."""
from __future__ import annotations

import base64
import gzip
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.log_shipper import json_codec
from handlers.log_shipper.dead_letters import payload_key
from handlers.log_shipper.events import UnsupportedEventError, handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.conftest import BUCKET, dead_letters, empty_bucket
from tests.handlers.log_shipper.json_strategies import any_value_literal
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer

GOOD = fixtures.payload_json("/platform/dev/orders/lambda-api",
                             [fixtures.log_event(n, fixtures.json_line(n)) for n in range(5)])
BAD_DATA = {
    "corrupt_base64": "%%%definitely not base64%%%",
    "corrupt_gzip": base64.b64encode(b"\x1f\x8b but then garbage").decode(),
    "corrupt_json": base64.b64encode(gzip.compress(b"this is not json", mtime=0)).decode(),
    "invalid_payload": base64.b64encode(gzip.compress(b'{"messageType": "DATA_MESSAGE"}', mtime=0)).decode(),
}


@pytest.mark.parametrize("reason", sorted(BAD_DATA))
def test_bad_kinesis_record_is_dead_lettered_and_good_ones_ship(reason: str, server: FakeBulkServer, s3: Any,
                                                                make_shipper: Callable[..., Any]) -> None:
    event = fixtures.kinesis_event([fixtures.encode(GOOD), BAD_DATA[reason]])
    response, result = handle_event(event, make_shipper())
    assert response == {"batchItemFailures": []}
    assert len(server.documents) == 5 and result.dead_lettered == 1
    [letter] = dead_letters(s3)
    assert (letter["kind"], letter["reason"], letter["raw_payload"]) == ("payload", reason, BAD_DATA[reason])
    assert letter["source"]["sequence_number"] == event["Records"][1]["kinesis"]["sequenceNumber"]
    assert s3.list_objects_v2(Bucket=BUCKET)["Contents"][0]["Key"] == payload_key(BAD_DATA[reason])


def test_corrupt_direct_event_is_dead_lettered_not_raised(server: FakeBulkServer, s3: Any,
                                                          make_shipper: Callable[..., Any]) -> None:
    response, _ = handle_event({"awslogs": {"data": BAD_DATA["corrupt_gzip"]}}, make_shipper())
    assert response == {"shipped": 0, "dead_lettered": 1}
    assert dead_letters(s3)[0]["source"] == {"path": "direct"}


def test_redelivered_bad_payload_overwrites_its_dead_letter(server: FakeBulkServer, s3: Any,
                                                            make_shipper: Callable[..., Any]) -> None:
    for _ in range(2):
        handle_event({"awslogs": {"data": BAD_DATA["corrupt_json"]}}, make_shipper())
    assert len(dead_letters(s3)) == 1


def test_control_messages_are_skipped(server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    event = fixtures.kinesis_event([fixtures.encode(fixtures.control_payload_json()), fixtures.encode(GOOD)])
    response, result = handle_event(event, make_shipper())
    assert response == {"batchItemFailures": []} and result.control_messages == 1
    assert len(server.documents) == 5 and dead_letters(s3) == []


def test_unknown_log_groups_ship_as_service_unknown(server: FakeBulkServer, s3: Any,
                                                    make_shipper: Callable[..., Any]) -> None:
    payload = fixtures.payload_json("/aws/lambda/something-else", [fixtures.log_event(1, "hello")])
    handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert list(server.documents) == [("logs-dev-unknown-2026.11.18", fixtures.event_id(1))]


def test_oversized_event_is_dead_lettered_before_sending(server: FakeBulkServer, s3: Any,
                                                         make_shipper: Callable[..., Any]) -> None:
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [
        fixtures.log_event(1, "fine"), fixtures.log_event(2, "y" * 3_000)])
    handle_event(fixtures.awslogs_event(payload), make_shipper(SHIPPER_MAX_DOCUMENT_BYTES=2_000))
    assert server.ids() == {fixtures.event_id(1)}
    [letter] = dead_letters(s3)
    assert letter["reason"] == "document_too_large" and letter["record"]["event"]["message"] == "y" * 3_000


def test_non_json_and_odd_lines_ship_as_plain_messages(server: FakeBulkServer, s3: Any,
                                                       make_shipper: Callable[..., Any]) -> None:
    odd = ["", "{", "{}", "null", "\x00\x01 binary-ish", "{\"unterminated\": ", "ünïcödé ✓", "[\"array\"]"]
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api",
                                    [fixtures.log_event(n, m) for n, m in enumerate(odd)])
    response, _ = handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert response == {"shipped": len(odd), "dead_lettered": 0}


def test_unsupported_event_shape_fails_loudly(make_shipper: Callable[..., Any]) -> None:
    with pytest.raises(UnsupportedEventError):
        handle_event({"detail-type": "Scheduled Event"}, make_shipper())


def test_dead_letter_store_failure_keeps_the_record_unsafe(server: FakeBulkServer, s3: Any,
                                                           make_shipper: Callable[..., Any]) -> None:
    class BrokenS3:
        def put_object(self, **kwargs: Any) -> None:
            raise RuntimeError("s3 is down")

    server.plan.mapping_conflict_ids.add(fixtures.event_id(2))
    event = fixtures.kinesis_event([fixtures.encode(GOOD), BAD_DATA["corrupt_gzip"]])
    response, result = handle_event(event, make_shipper(s3_client=BrokenS3()))
    assert {f["itemIdentifier"] for f in response["batchItemFailures"]} == {
        r["kinesis"]["sequenceNumber"] for r in event["Records"]}
    assert result.dead_lettered == 0 and len(server.documents) == 4


def test_event_with_a_lone_surrogate_ships_and_could_be_dead_lettered(server: FakeBulkServer, s3: Any,
                                                                      make_shipper: Callable[..., Any]) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(2))
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [
        fixtures.log_event(1, "plain \ud800 text"), fixtures.log_event(2, "conflict \udfff text")])
    response, _ = handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert response == {"shipped": 1, "dead_lettered": 1}
    assert dead_letters(s3)[0]["record"]["event"]["message"] == "conflict \udfff text"


@pytest.mark.parametrize("log_group", ["/platform/dev/log-shipping/lambda-shipper", "/platform/dev/opensearch/audit"])
def test_the_shippers_own_and_the_domains_log_groups_are_never_shipped(
        log_group: str, server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    event = fixtures.kinesis_event([fixtures.encode(fixtures.payload_json(log_group, [fixtures.log_event(1, "x")])),
                                    fixtures.encode(GOOD)])
    response, result = handle_event(event, make_shipper())
    assert response == {"batchItemFailures": []} and result.loop_guarded_events == 1
    assert len(server.documents) == 5 and dead_letters(s3) == []


def test_direct_event_raises_when_its_dead_letter_cannot_be_stored(server: FakeBulkServer, s3: Any,
                                                                   make_shipper: Callable[..., Any]) -> None:
    from handlers.log_shipper.events import IncompleteShipmentError

    class BrokenS3:
        def put_object(self, **kwargs: Any) -> None:
            raise RuntimeError("s3 is down")

    with pytest.raises(IncompleteShipmentError):
        handle_event({"awslogs": {"data": BAD_DATA["corrupt_gzip"]}}, make_shipper(s3_client=BrokenS3()))


def test_unexpected_errors_propagate_so_lambda_bisects_the_kinesis_batch(make_shipper: Callable[..., Any]) -> None:
    shipper = make_shipper()
    shipper.deliverer.deliver = lambda documents: (_ for _ in ()).throw(RuntimeError("bug"))
    with pytest.raises(RuntimeError, match="bug"):
        handle_event(fixtures.kinesis_event([fixtures.encode(GOOD)]), shipper)


GROUP = "/platform/dev/orders/lambda-api"


def payload_text_with_timestamps(literals: list[str], first_id: int = 0) -> str:
    """One payload: a good event, then one event per timestamp written exactly as given."""
    events = [fixtures.log_event(first_id, fixtures.json_line(first_id))] + [
        {"id": fixtures.event_id(first_id + 1 + n), "timestamp": f"@ts{n}@", "message": f"odd {n}"}
        for n in range(len(literals))]
    text = json.dumps(fixtures.payload_json(GROUP, events))
    for n, literal in enumerate(literals):
        text = text.replace(f'"@ts{n}@"', literal)
    return text


def encode_text(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode("utf-8"))).decode("ascii")


@pytest.mark.parametrize("path", ["direct", "kinesis"])
@pytest.mark.parametrize(("literal", "reason"), [
    ("1e400", "timestamp_out_of_range"), ("Infinity", "timestamp_out_of_range"),
    ("100000000000000000000", "timestamp_out_of_range"), ("1e17", "timestamp_out_of_range"),
    ("NaN", "invalid_timestamp"), ("null", "invalid_timestamp"),
])
def test_an_event_without_a_usable_date_is_dead_lettered_and_its_batch_ships(
        literal: str, reason: str, path: str, server: FakeBulkServer, s3: Any,
        make_shipper: Callable[..., Any]) -> None:
    data = encode_text(payload_text_with_timestamps([literal], first_id=100))
    event = {"awslogs": {"data": data}} if path == "direct" else fixtures.kinesis_event([data, fixtures.encode(GOOD)])
    response, result = handle_event(event, make_shipper())
    assert response == ({"shipped": 1, "dead_lettered": 1} if path == "direct" else {"batchItemFailures": []})
    assert fixtures.event_id(100) in server.ids() and fixtures.event_id(101) not in server.ids()
    assert {index for index, _ in server.documents} == {"logs-dev-orders-2026.11.18"}
    [letter] = dead_letters(s3)
    assert (letter["reason"], letter["record"]["event"]["id"]) == (reason, fixtures.event_id(101))
    assert letter["index"] == "logs-dev-orders-unparsed" and letter["document"] == {"message": "odd 0"}
    [key] = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert key == f"documents/undated/platform/dev/orders/lambda-api/{fixtures.event_id(101)}.json"


def _expected_index(timestamp_ms: int) -> str:
    day = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=timestamp_ms)
    return f"logs-dev-orders-{day:%Y.%m.%d}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(literals=st.lists(any_value_literal, min_size=1, max_size=6), path=st.sampled_from(["direct", "kinesis"]))
def test_no_timestamp_crashes_the_shipper_or_loses_its_event(
        literals: list[str], path: str, server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    """Whatever a producer writes as a timestamp, every event is indexed under its own date
    (a four-digit year) or dead-lettered with a reason, and the handler answers normally."""
    server.reset()
    empty_bucket(s3)
    text = payload_text_with_timestamps(literals)
    data = encode_text(text)
    event = {"awslogs": {"data": data}} if path == "direct" else fixtures.kinesis_event([data])
    response, _ = handle_event(event, make_shipper())
    assert response.get("batchItemFailures", []) == []
    sent = json_codec.loads_payload(text.encode())["logEvents"]
    letters = {letter["record"]["event"]["id"]: letter for letter in dead_letters(s3)}
    assert len(server.documents) + len(letters) == len(sent)
    for raw in sent:
        if raw["id"] in letters:
            assert letters[raw["id"]]["reason"] in ("invalid_timestamp", "timestamp_out_of_range")
        else:
            [index] = [index for index, document_id in server.documents if document_id == raw["id"]]
            assert index == _expected_index(int(raw["timestamp"]) if type(raw["timestamp"]) is str
                                            else math.floor(raw["timestamp"]))
