"""The zero-loss / zero-duplicate check every fault scenario ends with."""
from __future__ import annotations

from typing import Any, Iterable

from tests.handlers.log_shipper.conftest import dead_letters
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer


def input_events(payloads: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {event["id"]: {"event": event, "log_group": payload["logGroup"]}
            for payload in payloads for event in payload["logEvents"]}


def assert_exactly_once_or_dead_lettered(server: FakeBulkServer, s3: Any,
                                         payloads: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Every input event is indexed once, or dead-lettered with its original record; never both."""
    expected = input_events(payloads)
    indexed = [document_id for _, document_id in server.documents]
    letters = [letter for letter in dead_letters(s3) if letter["kind"] == "document"]
    lettered = [letter["record"]["event"]["id"] for letter in letters]
    assert len(indexed) == len(set(indexed)), "duplicated documents"
    assert len(lettered) == len(set(lettered)), "duplicated dead letters"
    assert not set(indexed) & set(lettered), "an event was both indexed and dead-lettered"
    assert set(indexed) | set(lettered) == set(expected), (
        f"lost events: {sorted(set(expected) - set(indexed) - set(lettered))[:5]}")
    for letter in letters:
        original = expected[letter["record"]["event"]["id"]]
        assert letter["record"]["event"] == original["event"]
        assert letter["record"]["log_group"] == original["log_group"]
    return {"indexed": indexed, "dead_lettered": lettered}
