"""The shipper against the local bulk endpoint with no faults: shape, naming, idempotency."""
from __future__ import annotations

from typing import Any, Callable

from handlers.log_shipper.events import handle_event
from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.conftest import dead_letters
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer


def test_direct_event_indexes_every_event_once(server: FakeBulkServer, make_shipper: Callable[..., Any]) -> None:
    payload = fixtures.payload_json("/platform/dev/orders/lambda-api",
                                    [fixtures.log_event(n, fixtures.json_line(n)) for n in range(20)])
    response, result = handle_event(fixtures.awslogs_event(payload), make_shipper())
    assert response == {"shipped": 20, "dead_lettered": 0}
    assert len(server.documents) == 20
    assert {index for index, _ in server.documents} == {"logs-dev-orders-2026.11.18"}
