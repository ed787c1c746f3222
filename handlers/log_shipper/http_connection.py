"""One kept-alive HTTP/1.1 connection for the shipper's single kind of exchange: a POST with a
body, answered with a status and a body.

``http.client`` does the same job, but it parses the response headers with the ``email``
package and writes each request header through several layers: about 0.1 ms of CPU per
exchange, a quarter of a 10-event invocation's budget. Here the request goes out in one write
and the response is read with ``Content-Length``, ``Transfer-Encoding: chunked`` or until the
server closes, which is all an OpenSearch endpoint answers with. The tests drive it against
the test endpoint and against raw sockets for chunked, closed and malformed responses.
"""
from __future__ import annotations

import socket
import ssl

MAX_LINE = 65_536
MAX_HEADERS = 100
SMALL_BODY = 64 * 1024  # sent with the head in one write; larger bodies are not copied


class ProtocolError(OSError):
    """The peer answered something that is not HTTP/1.x; the connection is not reused."""


class ConnectionClosed(ConnectionResetError):
    """The peer closed the connection before answering: what a stale kept-alive one does."""


class HttpConnection:
    def __init__(self, host: str, port: int, ssl_context: ssl.SSLContext | None) -> None:
        self._host = host
        self._port = port
        self._ssl_context = ssl_context
        self._socket: socket.socket | None = None
        self._reader = None
        self._timeout: float | None = None  # what the socket is set to: setting it is a syscall

    @property
    def is_open(self) -> bool:
        return self._socket is not None

    def exchange(self, head: bytes, body: bytes, timeout_seconds: float) -> tuple[int, bytes]:
        """Send one request (``head`` ends with the blank line) and return (status, body).

        Any failure closes the connection and raises an ``OSError``; the caller decides whether
        to try again on a new one.
        """
        try:
            sock = self._open(timeout_seconds)
            if timeout_seconds != self._timeout:
                sock.settimeout(timeout_seconds)
                self._timeout = timeout_seconds
            if len(body) <= SMALL_BODY:
                sock.sendall(head + body)
            else:
                sock.sendall(head)
                sock.sendall(body)
            status, data, keep_alive = self._read_response()
        except BaseException:
            self.close()
            raise
        if not keep_alive:
            self.close()
        return status, data

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _open(self, timeout_seconds: float) -> socket.socket:
        if self._socket is None:
            sock = socket.create_connection((self._host, self._port), timeout_seconds)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(sock, server_hostname=self._host)
            self._socket = sock
            self._timeout = timeout_seconds
            self._reader = sock.makefile("rb")
        return self._socket

    def _read_response(self) -> tuple[int, bytes, bool]:
        reader = self._reader
        assert reader is not None
        readline = reader.readline
        status_line = readline(MAX_LINE + 1)
        if not status_line:
            raise ConnectionClosed("connection closed before the response")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        lines = []
        for _ in range(MAX_HEADERS):
            line = readline(MAX_LINE + 1)
            if line == b"\r\n" or line == b"\n":
                break
            if not line or len(line) > MAX_LINE:
                raise ProtocolError("response headers cut off or too long")
            lines.append(line)
        else:
            raise ProtocolError(f"more than {MAX_HEADERS} response headers")
        # The three headers that frame the body, found in the whole lower-cased block at once.
        head = b"\n" + b"".join(lines).lower().replace(b"\r\n", b"\n").replace(b": ", b":")
        length = _header(head, b"content-length")
        chunked = b"chunked" in (_header(head, b"transfer-encoding") or b"")
        connection = _header(head, b"connection")
        keep_alive = connection == b"keep-alive" or (parts[0] == b"HTTP/1.1" and connection != b"close")
        if chunked:
            return int(parts[1]), self._read_chunks(), keep_alive
        if length is not None:
            size = int(length)
            data = reader.read(size)
            if len(data) != size:
                raise ConnectionClosed(f"response body cut off at {len(data)} of {size} bytes")
            return int(parts[1]), data, keep_alive
        return int(parts[1]), reader.read(), False  # no length: the body ends when the server closes

    def _read_chunks(self) -> bytes:
        reader = self._reader
        assert reader is not None
        chunks = []
        while True:
            size_line = reader.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size line: {size_line[:80]!r}") from None
            if size == 0:
                while reader.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunk = reader.read(size)
            if len(chunk) != size:
                raise ConnectionClosed("chunked response cut off")
            chunks.append(chunk)
            reader.readline(MAX_LINE + 1)  # the CRLF after each chunk


def _header(head: bytes, name: bytes) -> bytes | None:
    """The value of header ``name`` in a lower-cased header block that starts with a newline."""
    start = head.find(b"\n" + name + b":")
    if start < 0:
        return None
    start += len(name) + 2
    end = head.find(b"\n", start)
    return head[start:end if end >= 0 else None].strip()
