"""The one place that talks HTTP to OpenSearch for the shipper: a SigV4-signed ``_bulk`` POST.

The shipper sends one kind of request, so it does not go through opensearch-py: that client
imports requests (about 130 ms of a cold start) and spends about 0.5 ms a request in its
transport layers, half of a 10-event invocation. Instead one connection per container
(``http_connection``) is kept alive across invocations, requests are signed by ``sigv4`` and
responses parsed by ``json_codec``. Retries are not done here: the delivery loop retries per
item and knows the Lambda deadline. The bootstrap still uses opensearch-py (``build_client``),
where its many APIs are worth the cost.
"""
from __future__ import annotations

import ssl
import zlib
from typing import Any, Callable, Protocol
from urllib.parse import urlsplit

from handlers.log_shipper import json_codec
from handlers.log_shipper.failures import RequestFailure, classify_status
from handlers.log_shipper.http_connection import HttpConnection
from handlers.log_shipper.sigv4 import FrozenCredentials, SigV4Signer, canonical_query

CredentialsProvider = Callable[[], Any]
# Only the fields the delivery loop reads. Items are matched by position (the bulk API answers
# in request order), so ``_id`` is not asked for: it was two thirds of every 10,000-item reply.
BULK_FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason"
# A kept-alive connection the server closed while idle fails like this on its next request.
STALE_CONNECTION_ERRORS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)


class BulkTransport(Protocol):
    """What the delivery loop needs from a transport; tests substitute their own."""

    def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
        """Send NDJSON; return the parsed response or raise ``RequestFailure``."""

    def refresh_credentials(self) -> None:
        """Drop cached credentials so the next request is signed with fresh ones."""


def default_credentials() -> Any:
    """A new botocore session each call, so a refresh never reuses an expired cached token."""
    import botocore.session

    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials available to sign OpenSearch requests")
    return credentials


def frozen(credentials: Any) -> FrozenCredentials:
    """botocore credentials (refreshable or not) as the values valid right now."""
    if hasattr(credentials, "get_frozen_credentials"):
        credentials = credentials.get_frozen_credentials()
    return FrozenCredentials(credentials.access_key, credentials.secret_key, credentials.token)


class SignedBulkTransport:
    """``BulkTransport`` over one kept-alive HTTP(S) connection, signed for service ``es``.

    ``compress`` gzips bodies (level 1). It is off by default: inside a VPC the CPU is what an
    invocation is short of, gzip costs about as much as building the documents, and OpenSearch
    must inflate the body again. Turn it on (``SHIPPER_COMPRESS=true``) when the link is slow.
    """

    def __init__(self, endpoint: str, region: str, credentials_provider: CredentialsProvider = default_credentials,
                 compress: bool = False, ssl_context: ssl.SSLContext | None = None,
                 while_waiting: Callable[[], None] | None = None) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"OpenSearch endpoint must be http(s)://host[:port], not {endpoint!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        query = canonical_query({"filter_path": BULK_FILTER_PATH})
        self._target = f"/_bulk?{query}"
        self._request_line = f"POST {self._target} HTTP/1.1\r\n"
        self._signer = SigV4Signer(region, "es", parts.netloc, "/_bulk", query)
        self._headers = {"content-type": "application/x-ndjson"}
        if compress:
            self._headers["content-encoding"] = "gzip"
        self._compress = compress
        self._ssl_context = ssl_context if ssl_context is not None else (
            ssl.create_default_context() if self._https else None)
        self._credentials_provider = credentials_provider
        self._credentials = credentials_provider()
        self._connection = HttpConnection(self._host, self._port, self._ssl_context, while_waiting)

    def bulk(self, body: bytes, timeout_seconds: float) -> dict[str, Any]:
        wire = zlib.compress(body, 1, 31) if self._compress else body
        headers = self._signer.sign(wire, self._headers, frozen(self._credentials))
        headers["content-length"] = str(len(wire))
        head = "".join([self._request_line, *[f"{name}: {value}\r\n" for name, value in headers.items()],
                        "\r\n"]).encode("latin-1")
        status, data = self._exchange(head, wire, timeout_seconds)
        if status != 200:
            detail = data[:2000].decode("utf-8", "replace")
            raise RequestFailure(classify_status(status, detail), status, detail)
        try:
            response = json_codec.loads_payload(data)
        except ValueError as error:
            raise RequestFailure("retryable", status, f"bulk response is not JSON: {error}") from None
        if not isinstance(response, dict):
            raise RequestFailure("retryable", status, "bulk response was not a JSON object")
        return response

    def _exchange(self, head: bytes, wire: bytes, timeout_seconds: float) -> tuple[int, bytes]:
        """One request, resent at once on a fresh connection only when a kept-alive one turns
        out to have been closed by the server (``create`` makes a resend harmless anyway)."""
        reused = self._connection.is_open
        try:
            return self._connection.exchange(head, wire, timeout_seconds)
        except STALE_CONNECTION_ERRORS as error:
            if not reused:
                raise RequestFailure("retryable", None, f"{type(error).__name__}: {error}") from None
        except OSError as error:
            raise RequestFailure("retryable", None, f"{type(error).__name__}: {error}") from None
        try:
            return self._connection.exchange(head, wire, timeout_seconds)
        except OSError as error:
            raise RequestFailure("retryable", None, f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        self._connection.close()

    def refresh_credentials(self) -> None:
        self._credentials = self._credentials_provider()


def build_client(endpoint: str, region: str, credentials: Any, timeout_seconds: float = 30.0,
                 compress: bool = False) -> Any:
    """A SigV4-signing opensearch-py client, for the bootstrap's index, ISM and security APIs.

    Imported here, not at module level, so the shipper never pays for opensearch-py.
    """
    from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth, Urllib3HttpConnection

    return OpenSearch(
        hosts=[endpoint],
        http_auth=Urllib3AWSV4SignerAuth(credentials, region, "es"),
        connection_class=Urllib3HttpConnection,
        use_ssl=endpoint.startswith("https://"),
        verify_certs=endpoint.startswith("https://"),
        http_compress=compress,
        timeout=timeout_seconds,
        max_retries=0,
        retry_on_timeout=False,
        maxsize=4,
    )
