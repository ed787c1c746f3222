"""One kept-alive HTTP/1.1 connection for the shipper's single kind of exchange: a POST with a
body, answered with a status and a body.

``http.client`` does the same job, but it parses the response headers with the ``email``
package and writes each request header through several layers: about 0.1 ms of CPU per
exchange, a quarter of a 10-event invocation's budget. Here the request goes out in one write
and the response is read with ``Content-Length``, ``Transfer-Encoding: chunked`` or until the
server closes, which is all an OpenSearch endpoint answers with. TLS is done here too, on
memory buffers (see ``_Channel``). The tests drive it against the test endpoint and against raw
sockets, in plain HTTP and over TLS, for chunked, closed and malformed responses and timeouts.
"""
from __future__ import annotations

import io
import socket
import ssl
import struct
from typing import Callable

MAX_LINE = 65_536
MAX_HEADERS = 100
# The largest answer read: a `_bulk` answer to a 5 MiB body, with its failed items' reasons, is a
# few MiB. A Content-Length beyond it is refused before anything is allocated for it.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
SMALL_BODY = 64 * 1024  # sent with the head in one write; larger bodies are not copied
TLS_WRITE_PIECE = 256 * 1024


class ProtocolError(OSError):
    """The peer answered something that is not HTTP/1.x; the connection is not reused."""


class ConnectionClosed(ConnectionResetError):
    """The peer closed the connection before answering: what a stale kept-alive one does."""


def _set_kernel_timeouts(sock: socket.socket, seconds: float) -> None:
    """A blocking socket whose sends and receives give up after ``seconds`` (SO_SNDTIMEO,
    SO_RCVTIMEO). Python's own timeouts make every send and receive wait in ``poll`` first,
    three more system calls per exchange than a blocking socket needs (about 5 µs)."""
    whole = int(seconds)
    micros = int((seconds - whole) * 1_000_000)
    value = struct.pack("@ll", whole, micros if whole or micros else 1)  # 0 s 0 µs would mean "wait forever"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)


def _timed_out() -> TimeoutError:
    """A kernel timeout on a blocking socket raises BlockingIOError; said as Python's own say it."""
    return TimeoutError("timed out")


class _Channel(io.RawIOBase):
    """The byte stream under the response reader: a blocking socket with kernel timeouts, or TLS
    over one. TLS runs on memory buffers (``ssl.MemoryBIO``) with the socket I/O done here: an
    ``SSLSocket`` cannot use kernel timeouts (its reads retry them forever), and it reads each
    TLS record's header and body with two system calls where one ``recv`` gets them both."""

    def __init__(self, sock: socket.socket, ssl_context: ssl.SSLContext | None, host: str) -> None:
        super().__init__()
        self._sock = sock
        self._tls: ssl.SSLObject | None = None
        if ssl_context is not None:
            self._incoming, self._outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            self._tls = ssl_context.wrap_bio(self._incoming, self._outgoing, server_hostname=host)
            while True:
                try:
                    self._tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    self._send_pending()
                    if not self._receive():
                        raise ConnectionClosed("connection closed during the TLS handshake") from None
            self._send_pending()

    def readable(self) -> bool:
        return True

    def set_timeout(self, seconds: float) -> None:
        _set_kernel_timeouts(self._sock, seconds)

    def sendall(self, data: bytes) -> None:
        if self._tls is None:
            self._sendall(data)
            return
        # In pieces, so a 5 MiB body is not held encrypted in memory whole before it is sent.
        view = memoryview(data)
        for start in range(0, len(view), TLS_WRITE_PIECE):
            self._tls.write(view[start:start + TLS_WRITE_PIECE])
            self._send_pending()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        tls = self._tls
        if tls is None:
            try:
                return self._sock.recv_into(buffer)
            except BlockingIOError:
                raise _timed_out() from None
        while True:
            if not tls.pending() and not self._incoming.pending and not self._receive():
                return 0
            try:
                return tls.read(len(buffer), buffer)
            except ssl.SSLWantReadError:
                if not self._receive():
                    return 0
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                return 0  # the peer closed, with or without close_notify: end of stream, as SSLSocket says

    def _send_pending(self) -> None:
        data = self._outgoing.read()
        if data:
            self._sendall(data)

    def _sendall(self, data: bytes) -> None:
        try:
            self._sock.sendall(data)
        except BlockingIOError:
            raise _timed_out() from None

    def _receive(self) -> bool:
        """Feed the TLS object what the socket has; False at the end of the stream."""
        try:
            data = self._sock.recv(65536)
        except BlockingIOError:
            raise _timed_out() from None
        if not data:
            self._incoming.write_eof()
            return False
        self._incoming.write(data)
        return True

    def close(self) -> None:
        super().close()
        self._sock.close()


class HttpConnection:
    """``while_waiting`` is called once a request is sent and before its answer is read: work
    that can be done meanwhile (the telemetry's, see ``handlers.telemetry.while_waiting``)."""

    def __init__(self, host: str, port: int, ssl_context: ssl.SSLContext | None,
                 while_waiting: Callable[[], None] | None = None) -> None:
        self._host = host
        self._port = port
        self._ssl_context = ssl_context
        self._while_waiting = while_waiting
        self._socket: _Channel | None = None
        self._reader: io.BufferedReader | None = None
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
                sock.set_timeout(timeout_seconds)
                self._timeout = timeout_seconds
            if len(body) <= SMALL_BODY:
                sock.sendall(head + body)
            else:
                sock.sendall(head)
                sock.sendall(body)
            if self._while_waiting is not None:
                self._while_waiting()
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

    def _open(self, timeout_seconds: float) -> _Channel:
        if self._socket is None:
            sock = socket.create_connection((self._host, self._port), timeout_seconds)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(None)
                _set_kernel_timeouts(sock, timeout_seconds)
                channel = _Channel(sock, self._ssl_context, self._host)
            except BaseException:
                sock.close()
                raise
            self._socket = channel
            self._timeout = timeout_seconds
            self._reader = io.BufferedReader(channel, 65536)
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
        if length is not None and not length.isdigit():
            raise ProtocolError(f"not a Content-Length: {length[:40]!r}")
        chunked = b"chunked" in (_header(head, b"transfer-encoding") or b"")
        connection = _header(head, b"connection")
        keep_alive = connection == b"keep-alive" or (parts[0] == b"HTTP/1.1" and connection != b"close")
        if chunked:
            return int(parts[1]), self._read_chunks(), keep_alive
        if length is not None:
            size = int(length)
            if size > MAX_RESPONSE_BYTES:
                raise ProtocolError(f"a response of {size} bytes is more than {MAX_RESPONSE_BYTES} are read")
            data = reader.read(size)
            if len(data) != size:
                raise ConnectionClosed(f"response body cut off at {len(data)} of {size} bytes")
            return int(parts[1]), data, keep_alive
        data = reader.read(MAX_RESPONSE_BYTES + 1)  # no length: the body ends when the server closes
        if len(data) > MAX_RESPONSE_BYTES:
            raise ProtocolError(f"a response of more than {MAX_RESPONSE_BYTES} bytes")
        return int(parts[1]), data, False

    def _read_chunks(self) -> bytes:
        reader = self._reader
        assert reader is not None
        chunks = []
        left = MAX_RESPONSE_BYTES
        while True:
            size_line = reader.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size line: {size_line[:80]!r}") from None
            if size < 0:  # int() reads a sign; a negative size would read to the end of the stream
                raise ProtocolError(f"bad chunk size line: {size_line[:80]!r}")
            left -= size
            if left < 0:
                raise ProtocolError(f"a chunked response of more than {MAX_RESPONSE_BYTES} bytes")
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
