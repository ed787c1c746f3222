"""Dead-letter objects hold everything replay needs, under keys that make redelivery idempotent."""
from __future__ import annotations

from typing import Any, Callable

from handlers.log_shipper.events import handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.conftest import BUCKET, dead_letters
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer


def test_document_dead_letter_carries_record_document_index_and_error(
        server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any]) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(1))
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api", [fixtures.log_event(1, fixtures.json_line(1))])
    handle_event(fixtures.awslogs_event(payload), make_shipper())
    [key] = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert key == f"documents/2026/11/18/platform/dev/orders/lambda-api/{fixtures.event_id(1)}.json"
    [letter] = dead_letters(s3)
    assert letter["schema"] == "log-shipper-dead-letter/v1" and letter["kind"] == "document"
    assert letter["reason"] == "mapper_parsing_exception" and letter["error"]["status"] == 400
    assert letter["record"] == {"owner": fixtures.OWNER, "log_group": "/platform/dev/orders/lambda-api",
                                "log_stream": payload["logStream"], "subscription_filters": ["platform-dev-ship-logs"],
                                "event": payload["logEvents"][0]}
    assert letter["index"] == "logs-dev-orders-2026.11.18" and letter["document_id"] == fixtures.event_id(1)
    assert letter["document"]["message"] == "order 1 created"


def test_re_dead_lettering_the_same_event_keeps_one_object(server: FakeBulkServer, s3: Any,
                                                           make_shipper: Callable[..., Any]) -> None:
    server.plan.mapping_conflict_ids.add(fixtures.event_id(1))
    event = fixtures.awslogs_event(fixtures.payload_json("/platform/dev/orders/lambda-api",
                                                         [fixtures.log_event(1, "m")]))
    handle_event(event, make_shipper())
    handle_event(event, make_shipper())
    assert s3.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1
