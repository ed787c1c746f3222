"""The clickstream consumer on Kinesis batches against moto: counted once, stopping at a poison record."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.clickstream import app
from handlers.telemetry.stream_poison import FirstRecordFailed
from tests.handlers.clickstream.conftest import click, empty, views
from tests.handlers.telemetry.helpers import FakeLambdaContext, kinesis_record, parse_output

ARRIVAL_MINUTE = "2026-11-22T05:15"  # kinesis_record's approximateArrivalTimestamp, 1795324529.854


def run(*records: dict[str, Any]) -> dict[str, Any]:
    return app.handler({"Records": list(records)}, FakeLambdaContext(function_name="platform-test-clickstream-consumer"))


def test_page_views_are_counted_per_page_and_minute(table: Any) -> None:
    records = [kinesis_record(click("/menu"), "1"), kinesis_record(click("/menu"), "2"), kinesis_record(click("/basket"), "3"),
               kinesis_record(click("/menu", event="add_to_cart"), "4")]
    assert run(*records) == {"batchItemFailures": []}
    assert views(table) == {("/menu", ARRIVAL_MINUTE): 2, ("/basket", ARRIVAL_MINUTE): 1}


def test_a_redelivered_record_counts_once(table: Any, capsys: pytest.CaptureFixture[str]) -> None:
    record = kinesis_record(click(), "1")
    run(record)
    run(record, kinesis_record(click(), "2"))
    assert views(table) == {("/menu", ARRIVAL_MINUTE): 2}
    assert any(line.get("PageViewsDuplicate") == 1 for line in parse_output(capsys.readouterr().out).emf)


def test_a_poison_record_stops_the_batch_and_is_the_one_reported(table: Any) -> None:
    records = [kinesis_record(click(), "1"), kinesis_record("not json", "2"), kinesis_record(click(), "3")]
    assert run(*records) == {"batchItemFailures": [{"itemIdentifier": "2"}]}
    assert views(table) == {("/menu", ARRIVAL_MINUTE): 1}  # the third is left for the retry, in order


@pytest.mark.parametrize("data", ["{}", b"\xff\xfe"])
def test_a_poison_record_at_the_head_of_a_batch_raises_so_lambda_bisects(table: Any, data: Any) -> None:
    with pytest.raises(FirstRecordFailed):
        run(kinesis_record(data, "1"), kinesis_record(click(), "2"))
    assert views(table) == {}


def test_without_its_table_the_consumer_names_it(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME")
    with pytest.raises(RuntimeError, match="TABLE_NAME is not set"):
        run(kinesis_record(click(), "1"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(1, 6), st.sampled_from(["/a", "/b"])), min_size=1, max_size=8), st.data())
def test_any_redelivery_pattern_counts_each_record_exactly_once(table: Any, sent: list[tuple[int, str]], data: st.DataObject) -> None:
    """Batches overlap and repeat records (retries, bisection, replays); the counts never move."""
    empty(table)  # examples share the table
    pages = dict(sent)  # one page per sequence number, as a stream has it
    records = {sequence: kinesis_record(click(page), str(sequence)) for sequence, page in pages.items()}
    deliveries = data.draw(st.lists(st.lists(st.sampled_from(sorted(records)), min_size=1, max_size=4), min_size=1, max_size=3))
    for delivery in deliveries + [sorted(records)]:
        assert run(*(records[sequence] for sequence in delivery))["batchItemFailures"] == []
    expected: dict[tuple[str, str], int] = {}
    for page in pages.values():
        expected[(page, ARRIVAL_MINUTE)] = expected.get((page, ARRIVAL_MINUTE), 0) + 1
    assert views(table) == expected
