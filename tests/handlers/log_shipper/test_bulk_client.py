"""The shipper's HTTP transport: one kept-alive connection, and every failure as a RequestFailure."""
from __future__ import annotations

import socket
import threading
from typing import Iterator

import pytest
from botocore.credentials import Credentials

from handlers.log_shipper.bulk_client import SignedBulkTransport
from handlers.log_shipper.failures import RequestFailure
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, RequestFault

BODY = b'{"create":{"_index":"logs-dev-orders-2026.11.18","_id":"1"}}\n{"message":"m"}\n'


def transport_to(url: str) -> SignedBulkTransport:
    return SignedBulkTransport(url, "us-east-1", lambda: Credentials("k", "secret", "t"))


def test_one_connection_serves_every_request(server: FakeBulkServer) -> None:
    transport = transport_to(server.url)
    for n in range(3):
        transport.bulk(BODY.replace(b'"1"', f'"{n}"'.encode()), 5.0)
    assert len(server.documents) == 3 and server.connections == 1


def test_a_kept_alive_connection_closed_by_the_server_is_replaced_at_once(server: FakeBulkServer) -> None:
    transport = transport_to(server.url)
    transport.bulk(BODY, 5.0)
    server.close_idle_connections()
    assert transport.bulk(BODY, 5.0)["items"][0]["create"]["status"] == 409  # resent once, on a new connection
    assert server.connections == 2


@pytest.mark.parametrize(("fault", "kind", "status"), [
    (RequestFault(429), "retryable", 429), (RequestFault(503), "retryable", 503),
    (RequestFault(413), "too_large", 413), (RequestFault(400), "rejected", 400),
])
def test_statuses_become_request_failures(fault: RequestFault, kind: str, status: int, server: FakeBulkServer) -> None:
    server.plan.request_faults.append(fault)
    with pytest.raises(RequestFailure) as raised:
        transport_to(server.url).bulk(BODY, 5.0)
    assert (raised.value.kind, raised.value.status) == (kind, status)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A listener on 127.0.0.1 that accepts and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_timeout_and_a_refused_connection_are_retryable(silent_port: int) -> None:
    with pytest.raises(RequestFailure) as raised:
        transport_to(f"http://127.0.0.1:{silent_port}").bulk(BODY, 0.2)
    assert raised.value.kind == "retryable" and "timed out" in raised.value.detail
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(RequestFailure) as raised:
        transport_to(f"http://127.0.0.1:{port}").bulk(BODY, 1.0)
    assert raised.value.kind == "retryable"


def test_an_endpoint_that_is_not_http_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="http"):
        transport_to("search-x.us-east-1.es.amazonaws.com")


def test_the_test_endpoint_refuses_mapping_types_like_opensearch_2(server: FakeBulkServer) -> None:
    """Why the reference function cannot index into OpenSearch 2.x: its action lines carry _type."""
    with pytest.raises(RequestFailure) as raised:
        transport_to(server.url).bulk(b'{"index":{"_index":"cwl-2026.11.18","_type":"/g","_id":"1"}}\n{}\n', 5.0)
    assert (raised.value.kind, raised.value.status) == ("rejected", 400) and "_type" in raised.value.detail
