"""TELEMETRY_EXPORTER=otlp sends the invocation's spans over OTLP/HTTP before returning."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from handlers.telemetry import instrument
from handlers.telemetry.tracing import build_exporter, tracing
from tests.handlers.local_http import POLL_SECONDS
from tests.handlers.telemetry.helpers import FakeLambdaContext


@pytest.fixture
def collector():
    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received.append((self.path, self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_spans_reach_the_otlp_endpoint_during_the_invocation(collector, monkeypatch):
    endpoint, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    previous = tracing.set_exporter(build_exporter("otlp"))
    try:
        @instrument(service="orders")
        def handler(event, context):
            return None

        handler({}, FakeLambdaContext(function_name="otlp-probe-fn"))
    finally:
        tracing.set_exporter(previous)
    ((path, body),) = received
    assert path == "/v1/traces"
    assert b"otlp-probe-fn" in body and b"orders" in body
