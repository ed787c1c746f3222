"""The shipper's HTTP/1.1 connection against raw sockets: every way a response can be framed,
in plain HTTP and over TLS (which the connection does itself, on memory buffers)."""
from __future__ import annotations

import io
import socket
import ssl
import time
import threading
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.log_shipper import http_connection
from handlers.log_shipper.http_connection import MAX_RESPONSE_BYTES, ConnectionClosed, HttpConnection, ProtocolError
from tests.handlers.log_shipper.tls import contexts

REQUEST = b"POST /_bulk HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n"


class CannedServer:
    """On 127.0.0.1: reads each request (head and Content-Length body), answers the next canned
    reply, and closes the connection after a reply marked ``close``."""

    def __init__(self, replies: list[tuple[bytes, bool]],
                 tls: tuple[ssl.SSLContext, ssl.SSLContext] | None = None) -> None:
        self.replies = list(replies)
        self._server_context = tls[0] if tls else None
        self.client_context = tls[1] if tls else None  # what HttpConnection is given
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self.replies:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            if self._server_context is not None:
                try:
                    connection = self._server_context.wrap_socket(connection, server_side=True)
                except (OSError, ssl.SSLError):
                    continue
            with connection, connection.makefile("rb") as reader:
                while self.replies:
                    head = b""
                    while not head.endswith(b"\r\n\r\n"):
                        line = reader.readline()
                        if not line:
                            break
                        head += line
                    if not head:
                        break
                    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                    self.requests.append(head + reader.read(length))
                    reply, close = self.replies.pop(0)
                    for piece in (reply if isinstance(reply, list) else [reply]):  # pieces arrive apart
                        connection.sendall(piece)
                        time.sleep(0.05 if isinstance(reply, list) else 0)
                    if close:
                        break

    def close(self) -> None:
        self._listener.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    return contexts(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture(params=["http", "https"])
def canned(request: pytest.FixtureRequest, certificate) -> Iterator[type[CannedServer]]:
    servers: list[CannedServer] = []
    tls = certificate if request.param == "https" else None

    def make(replies: list[tuple[bytes, bool]]) -> CannedServer:
        servers.append(CannedServer(replies, tls))
        return servers[-1]

    yield make  # type: ignore[misc]
    for server in servers:
        server.close()


def test_content_length_responses_share_one_connection(canned) -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    server = canned([(reply, False), (reply, False)])
    connection = HttpConnection("127.0.0.1", server.port, server.client_context)
    assert connection.exchange(REQUEST, b"{}", 5) == (200, b"{}")
    assert connection.exchange(REQUEST, b"{}", 5) == (200, b"{}")
    assert server.connections == 1 and server.requests == [REQUEST + b"{}"] * 2


def test_chunked_responses_with_extensions_and_trailers(canned) -> None:
    reply = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n")
    server = canned([(reply, False)])
    assert HttpConnection("127.0.0.1", server.port, server.client_context).exchange(REQUEST, b"{}", 5) == (200, b'{"a":1}')


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 4\r\n\r\nslow",
    b"HTTP/1.0 429 Too Many Requests\r\nContent-Length: 4\r\n\r\nslow",
    b"HTTP/1.1 429 Too Many Requests\r\n\r\nslow",  # no length: the body runs until the close
])
def test_a_response_that_ends_the_connection_closes_it(canned, reply: bytes) -> None:
    server = canned([(reply, True)])
    connection = HttpConnection("127.0.0.1", server.port, server.client_context)
    assert connection.exchange(REQUEST, b"{}", 5) == (429, b"slow")
    assert not connection.is_open


@pytest.mark.parametrize(("reply", "error"), [
    (b"", ConnectionClosed),
    (b"SSH-2.0-OpenSSH_9.2\r\n", ProtocolError),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ConnectionClosed),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ProtocolError),
    (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 101 + b"\r\n", ProtocolError),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\n{}", ProtocolError),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}", ProtocolError),
])
def test_broken_responses_raise_and_close(canned, reply: bytes, error: type[Exception]) -> None:
    server = canned([(reply, True)])
    connection = HttpConnection("127.0.0.1", server.port, server.client_context)
    with pytest.raises(error):
        connection.exchange(REQUEST, b"{}", 5)
    assert not connection.is_open


@pytest.mark.parametrize(("reply", "expected", "kept_open"), [
    # a body that arrives after its head: read on, whole
    ([b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\"", b":1}"], b'{"a":1}', True),
    ([b"HTTP/1.1 200 OK\r\nContent-Le", b"ngth: 2\r\n\r\n{}"], b"{}", True),
    # a bare line end before a CRLF one: every header is still read, Connection included
    (b"HTTP/1.1 200 OK\nConnection: close\r\nContent-Length: 2\r\n\r\n{}", b"{}", False),
])
def test_an_answer_in_pieces_or_with_mixed_line_ends_is_read_whole(canned, reply, expected, kept_open) -> None:
    server = canned([(reply, not kept_open)])
    connection = HttpConnection("127.0.0.1", server.port, server.client_context)
    assert connection.exchange(REQUEST, b"{}", 5) == (200, expected)
    assert connection.is_open is kept_open


def test_a_large_body_is_sent_whole(canned) -> None:
    body = b"x" * 300_000
    server = canned([(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False)])
    request = b"POST /_bulk HTTP/1.1\r\nhost: x\r\ncontent-length: 300000\r\n\r\n"
    assert HttpConnection("127.0.0.1", server.port, server.client_context).exchange(request, body, 5) == (200, b"")
    assert server.requests == [request + body]


@pytest.mark.parametrize("reply", [
    b"HTTP/1.1 200 OK\r\nCONTENT-LENGTH:2\r\nX-Content-Length-Note: 99\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\ncontent-length:   2  \r\n\r\n{}",
    b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}",
    b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}",
])
def test_header_names_are_read_whatever_their_case_spacing_or_line_ends(canned, reply: bytes) -> None:
    server = canned([(reply, False), (reply, False)])
    connection = HttpConnection("127.0.0.1", server.port, server.client_context)
    assert connection.exchange(REQUEST, b"{}", 5) == (200, b"{}")
    assert connection.is_open and connection.exchange(REQUEST, b"{}", 5) == (200, b"{}")
    assert server.connections == 1


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_each_exchange_gets_its_own_timeout_on_a_kept_alive_connection(scheme: str, certificate) -> None:
    """The socket's timeout is set only when it changes (a syscall saved per request), so a
    shorter one must still take effect on the connection the previous request left open. Over
    TLS too: the kernel's timeouts, not ``SSLSocket``'s, end the wait."""
    server_context, client_context = certificate if scheme == "https" else (None, None)
    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def answer_once_then_hold() -> None:
        connection, _ = listener.accept()
        if server_context is not None:
            connection = server_context.wrap_socket(connection, server_side=True)
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            connection.recv(65536)  # the second request, never answered
            done.wait(10)

    threading.Thread(target=answer_once_then_hold, daemon=True).start()
    connection = HttpConnection("127.0.0.1", listener.getsockname()[1], client_context)
    try:
        assert connection.exchange(REQUEST, b"{}", 5.0) == (200, b"{}")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            connection.exchange(REQUEST, b"{}", 0.2)
        assert time.monotonic() - started < 2
        assert not connection.is_open
    finally:
        done.set()
        listener.close()


def test_a_certificate_the_client_does_not_trust_is_refused(certificate) -> None:
    server = CannedServer([(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", False)], certificate)
    try:
        connection = HttpConnection("127.0.0.1", server.port, ssl.create_default_context())  # the system's CAs only
        with pytest.raises(ssl.SSLCertVerificationError):
            connection.exchange(REQUEST, b"{}", 5)
        assert not connection.is_open
    finally:
        server.close()


def test_while_waiting_runs_once_per_request_after_it_is_sent_and_before_the_answer_is_read(certificate) -> None:
    """The server answers only once the hook has run: called before the request went out, the
    hook would wait for it in vain; called after the answer was read, the exchange would never
    end."""
    server_context, client_context = certificate
    listener = socket.create_server(("127.0.0.1", 0))
    received, hook_ran = threading.Event(), threading.Event()

    def answer_after_the_hook() -> None:
        connection, _ = listener.accept()
        with server_context.wrap_socket(connection, server_side=True) as tls:
            for _ in range(2):
                tls.recv(65536)
                received.set()
                if hook_ran.wait(5):
                    hook_ran.clear()
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")

    calls: list[bool] = []

    def hook() -> None:
        calls.append(received.wait(5))
        received.clear()
        hook_ran.set()

    threading.Thread(target=answer_after_the_hook, daemon=True).start()
    connection = HttpConnection("127.0.0.1", listener.getsockname()[1], client_context, while_waiting=hook)
    try:
        assert connection.exchange(REQUEST, b"{}", 5.0) == (200, b"{}")
        assert connection.exchange(REQUEST, b"{}", 5.0) == (200, b"{}")
        assert calls == [True, True]
    finally:
        listener.close()


@settings(max_examples=200, deadline=None)
@given(value=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12))
def test_a_content_length_is_digits_or_the_answer_is_refused(value: str) -> None:
    """Every header value that is not a run of digits, not only the ones met so far."""
    reply = f"HTTP/1.1 200 OK\r\nContent-Length: {value}\r\n\r\n".encode("ascii") + b"x" * 20
    connection = HttpConnection("127.0.0.1", 1, None)
    connection._reader = io.BufferedReader(io.BytesIO(reply))  # the response as the socket would give it
    if value.isdigit() and int(value) <= 20:
        assert connection._read_response() == (200, b"x" * int(value), True)
    elif value.isdigit() and int(value) <= MAX_RESPONSE_BYTES:
        with pytest.raises(ConnectionClosed):
            connection._read_response()
    else:  # not a length, or one that would have the whole answer held in memory (26000000000)
        with pytest.raises(ProtocolError):
            connection._read_response()


@settings(max_examples=200, deadline=None)
@given(size=st.text(alphabet="0123456789abcdefABCDEF+- ;x", min_size=1, max_size=14))
def test_any_chunk_size_line_is_read_within_the_limit_or_refused(size: str) -> None:
    """Signs, huge sizes, extensions, garbage: never more held than MAX_RESPONSE_BYTES, never an
    error other than the connection's own."""
    reply = f"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\n".encode("ascii") + b"x" * 40
    connection = HttpConnection("127.0.0.1", 1, None)
    connection._reader = io.BufferedReader(io.BytesIO(reply))
    try:
        status, data, _ = connection._read_response()
    except (ProtocolError, ConnectionClosed):
        return
    assert status == 200 and len(data) <= 40


@pytest.mark.parametrize(("head", "body"), [
    ("Content-Length: 11\r\n", b"x" * 11),
    ("Transfer-Encoding: chunked\r\n", b"6\r\nxxxxxx\r\n5\r\nxxxxx\r\n0\r\n\r\n"),
    ("Connection: close\r\n", b"x" * 11),
    ("Transfer-Encoding: chunked\r\n", b"-5\r\nxxxxx\r\n0\r\n\r\n"),  # a sign would read to the end
], ids=["content-length", "chunked", "until closed", "negative chunk"])
def test_an_answer_larger_than_is_ever_read_is_refused_before_it_is_held(monkeypatch, head: str, body: bytes) -> None:
    monkeypatch.setattr(http_connection, "MAX_RESPONSE_BYTES", 10)
    connection = HttpConnection("127.0.0.1", 1, None)
    connection._reader = io.BufferedReader(io.BytesIO(f"HTTP/1.1 200 OK\r\n{head}\r\n".encode("ascii") + body))
    with pytest.raises(ProtocolError):
        connection._read_response()
