"""Property: for any sequence of injected faults, every event ends up indexed exactly once or
dead-lettered with its original record, once Lambda has redelivered what the shipper left unsafe."""
from __future__ import annotations

from typing import Any, Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.handlers.log_shipper import fixtures
from tests.handlers.log_shipper.accounting import assert_exactly_once_or_dead_lettered
from tests.handlers.log_shipper.conftest import empty_bucket
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, ItemFault, RequestFault
from tests.handlers.log_shipper.test_fault_matrix import ship_until_safe

PAYLOADS = fixtures.mixed_payloads(60, per_payload=20)
EVENT_IDS = [event["id"] for payload in PAYLOADS for event in payload["logEvents"]]

request_faults = st.lists(st.sampled_from([429, 500, 502, 503, 504]).map(RequestFault), max_size=5)
item_faults = st.lists(st.one_of(st.none(), st.builds(ItemFault, st.sampled_from([429, 500, 503, 400]),
                                                      st.integers(1, 5))), max_size=4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=request_faults, items=item_faults, conflicts=st.sets(st.sampled_from(EVENT_IDS), max_size=5),
       content_limit=st.one_of(st.none(), st.integers(3_000, 30_000)), path=st.sampled_from(["direct", "kinesis"]))
def test_no_fault_sequence_loses_or_duplicates_events(
        server: FakeBulkServer, s3: Any, make_shipper: Callable[..., Any], requests: list[RequestFault],
        items: list[ItemFault | None], conflicts: set[str], content_limit: int | None, path: str) -> None:
    server.reset()
    empty_bucket(s3)
    server.plan.request_faults.extend(requests)
    server.plan.item_faults.extend(items)
    server.plan.mapping_conflict_ids.update(conflicts)
    server.plan.max_content_length = content_limit
    if path == "direct":
        events = [fixtures.awslogs_event(p) for p in PAYLOADS]
    else:
        events = [fixtures.kinesis_event(fixtures.encode(p) for p in PAYLOADS)]
    for event in events:
        ship_until_safe(event, make_shipper, max_deliveries=4)
    assert_exactly_once_or_dead_lettered(server, s3, PAYLOADS)
