"""The HTTP plumbing the handler tests' fakes share: a threaded server on 127.0.0.1 (an
ephemeral port, never a public interface) that reads each request's body, hands it to the
fake, and writes the fake's answer back as JSON.

A fake subclasses :class:`LoopbackJSONServer`, lists the ``methods`` it serves and implements
:meth:`~LoopbackJSONServer.respond`; what it parses, records and answers stays its own.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

# How often a serving loop looks for a shutdown: `shutdown()` waits for its next look. At 50 ms,
# about a hundred tests each paid 50 ms to stop their fake (5 s of the suite).
POLL_SECONDS = 0.002


class LoopbackJSONServer:
    """Bound to a port when built; serves from ``with`` entry to exit, in a daemon thread."""

    #: HTTP methods answered through :meth:`respond`; any other gets http.server's 501.
    methods: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """Status and JSON-serialisable answer for one request.

        ``path`` includes the query string; ``headers`` have lower-cased names; ``body`` is the
        bytes as sent (still gzip if the client compressed them). Called on the server's threads.
        """
        raise NotImplementedError

    def encode(self, response: Any) -> bytes:
        """The reply body; a fake overrides this where the serialiser's own cost matters."""
        return json.dumps(response).encode("utf-8")


def _handler_for(server: LoopbackJSONServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One buffered write per response and no Nagle: otherwise headers and body leave in two
        # segments and delayed ACKs add ~40 ms to every request, which would distort benchmarks.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, response = server.respond(self.command, self.path, headers, body)
            payload = server.encode(response)
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away, as real clients do

        def log_message(self, *args: Any) -> None:
            pass

    for method in server.methods:
        setattr(Handler, f"do_{method}", Handler._serve)
    return Handler
