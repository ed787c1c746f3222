"""A local stand-in for OpenSearch's ``_bulk`` API with fault injection, on 127.0.0.1 only.

It behaves like the real thing where the shipper's guarantees depend on it: ``create`` answers
201 or 409 per (index, _id), ``errors`` is true when any item failed, bodies may be gzip, the
SigV4 payload hash must match the bytes on the wire, and faults are injected the way a cluster
produces them (throttling, server errors, mapping conflicts, size limits, expired tokens, slow
responses). Documents are stored by (index, _id) so tests can count losses and duplicates.
"""
from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.handlers.local_http import LoopbackJSONServer

try:  # the endpoint's own JSON work should cost as little as possible in benchmarks
    import orjson

    _loads: Callable[[bytes], Any] = orjson.loads
    _dumps: Callable[[Any], bytes] = orjson.dumps
except ImportError:  # pragma: no cover
    _loads = json.loads
    _dumps = lambda value: json.dumps(value).encode("utf-8")  # noqa: E731

EXPIRED_MESSAGE = "The security token included in the request is expired"


@dataclass
class RequestFault:
    """A whole-request fault for the next request: a status, or a delay before answering."""

    status: int | None = None
    delay_seconds: float = 0.0
    body: dict[str, Any] | None = None


@dataclass
class ItemFault:
    """Per-item faults for the next request: ``status`` for every ``every``-th item."""

    status: int
    every: int = 1
    error_type: str = ""


@dataclass
class FaultPlan:
    request_faults: list[RequestFault] = field(default_factory=list)
    item_faults: list[ItemFault | None] = field(default_factory=list)
    mapping_conflict_ids: set[str] = field(default_factory=set)
    max_content_length: int | None = None
    expired_access_keys: set[str] = field(default_factory=set)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    wire_bytes: int
    body_bytes: int
    status: int


class FakeBulkServer(LoopbackJSONServer):
    methods = ("POST", "PUT")
    #: The secret key of each access key the tests use: the handler signs with the environment's
    #: credentials, which moto sets while it mocks; every other client signs with "secret".
    secret_keys = {"testing": "testing", "FOOBARKEY": "FOOBARSECRET"}

    def __init__(self, parse_sources: bool = True, accepts_mapping_types: bool = False) -> None:
        # Benchmarks switch parsing off so the endpoint's own JSON work does not dominate.
        self.parse_sources = parse_sources
        # OpenSearch 2.x refuses a whole bulk request whose action lines carry ``_type``; older
        # clusters (and the benchmark, for the reference model that sends it) accept it.
        self.accepts_mapping_types = accepts_mapping_types
        self.plan = FaultPlan()
        self.documents: dict[tuple[str, str], dict[str, Any]] = {}
        self.create_attempts: dict[tuple[str, str], int] = {}
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()
        super().__init__()
        self._accepted: list[socket.socket] = []
        accept = self._server.get_request

        def counted_accept() -> tuple[socket.socket, Any]:
            connection, address = accept()
            self._accepted.append(connection)
            return connection, address

        self._server.get_request = counted_accept  # type: ignore[method-assign]

    @property
    def connections(self) -> int:
        """Connections accepted so far: shows whether a client keeps its connection alive."""
        return len(self._accepted)

    def close_idle_connections(self) -> None:
        """What a cluster or load balancer does to connections idle for too long."""
        for connection in self._accepted:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def reset(self) -> None:
        """Forget documents, requests and faults; lets a property test reuse one server."""
        with self.lock:
            self.plan = FaultPlan()
            self.documents.clear()
            self.create_attempts.clear()
            self.requests.clear()

    def ids(self) -> set[str]:
        return {document_id for _, document_id in self.documents}

    # --- request handling -------------------------------------------------------------
    def respond(self, method: str, path: str, headers: dict[str, str], wire: bytes) -> tuple[int, dict[str, Any]]:
        with self.lock:
            request_fault = self.plan.request_faults.pop(0) if self.plan.request_faults else None
            item_fault = self.plan.item_faults.pop(0) if self.plan.item_faults else None
        body = gzip.decompress(wire) if headers.get("content-encoding") == "gzip" else wire
        filter_path = parse_qs(urlsplit(path).query)["filter_path"][0] if "filter_path=" in path else None
        # Answer a filter that keeps only what the shipper reads directly, as a cluster writes
        # only what is asked for: building whole items to drop most of them would make this
        # endpoint bill the shipper's benchmarks for work a real cluster does not do.
        compact = filter_path is not None and set(filter_path.split(",")) <= COMPACT_FILTER
        status, response = self._answer(path, headers, wire, body, request_fault, item_fault, compact)
        if status == 200 and filter_path is not None and not compact:
            response = _filter_response(response, filter_path)
        with self.lock:
            self.requests.append(RecordedRequest(method, path, headers, len(wire), len(body), status))
        return status, response

    def encode(self, response: Any) -> bytes:
        """orjson where installed: replies are large and the benchmarks time them too."""
        return _dumps(response)

    def _answer(self, path: str, headers: dict[str, str], wire: bytes, body: bytes,
                request_fault: RequestFault | None, item_fault: ItemFault | None,
                compact: bool = False) -> tuple[int, dict[str, Any]]:
        auth_error = self._check_signature(path, headers, wire)
        if auth_error:
            return 403, {"message": auth_error}
        if not path.startswith("/_bulk"):
            return 404, {"error": "only _bulk is served"}
        limit = self.plan.max_content_length
        if limit is not None and len(body) > limit:
            return 413, {"Message": f"Request size exceeded {limit} bytes"}
        if request_fault is not None:
            if request_fault.delay_seconds:
                # A slow cluster still indexes; the client gives up first (realistic timeout).
                result = self._bulk(body, item_fault, compact)
                time.sleep(request_fault.delay_seconds)
                return 200, result
            return request_fault.status or 500, request_fault.body or {
                "error": {"type": "fault_injected", "reason": f"status {request_fault.status}"},
                "status": request_fault.status}
        try:
            return 200, self._bulk(body, item_fault, compact)
        except MappingTypeRejected as rejected:
            return 400, {"error": {"type": "illegal_argument_exception", "reason": (
                f"Action/metadata line [{rejected.line}] contains an unknown parameter [_type]")}, "status": 400}

    def _check_signature(self, path: str, headers: dict[str, str], wire: bytes) -> str | None:
        authorization = headers.get("authorization", "")
        if not authorization.startswith("AWS4-HMAC-SHA256 Credential="):
            return "missing SigV4 authorization"
        if headers.get("x-amz-content-sha256") != hashlib.sha256(wire).hexdigest():
            return "payload hash does not match the bytes sent"
        access_key = authorization.split("Credential=", 1)[1].split("/", 1)[0]
        if access_key in self.plan.expired_access_keys:
            return EXPIRED_MESSAGE
        if not hmac.compare_digest(authorization, expected_authorization(path, headers, wire,
                                                                           self.secret_keys.get(access_key, "secret"))):
            return "The request signature we calculated does not match the signature you provided"
        return None

    def _bulk(self, body: bytes, item_fault: ItemFault | None, compact: bool = False) -> dict[str, Any]:
        """One pass, under one lock acquisition: benchmarks time this endpoint with the client.
        ``compact``: items hold only ``status`` and ``error.type``/``error.reason``."""
        lines = body.split(b"\n")
        items = []
        append = items.append
        started = time.perf_counter()
        errors = False
        with self.lock:
            for position in range(0, len(lines) - 1, 2):
                action = _loads(lines[position])
                operation = "create" if "create" in action else "index"
                meta = action[operation]
                if "_type" in meta and not self.accepts_mapping_types:
                    raise MappingTypeRejected(position // 2 + 1)
                key = (meta["_index"], meta["_id"])
                source = json.loads(lines[position + 1]) if self.parse_sources else lines[position + 1]
                result = (self._create(key, source, item_fault, position // 2) if operation == "create"
                          else self._index(key, source))
                status = result["status"]
                errors = errors or status >= 300
                if compact:
                    error = result.get("error")
                    result = {"status": status} if error is None else {"status": status, "error": {
                        "type": error["type"], "reason": error["reason"]}}
                append({operation: result})
        if compact:
            return {"errors": errors, "items": items}
        return {"took": int((time.perf_counter() - started) * 1000), "errors": errors, "items": items}

    def _index(self, key: tuple[str, str], source: dict[str, Any]) -> dict[str, Any]:
        """The ``index`` operation (used by the reference function model): last write wins."""
        existed = key in self.documents
        self.documents[key] = source
        return {"_index": key[0], "_id": key[1], "result": "updated" if existed else "created",
                "status": 200 if existed else 201}

    def _create(self, key: tuple[str, str], source: dict[str, Any], item_fault: ItemFault | None,
                position: int) -> dict[str, Any]:
        """Called with the lock held."""
        if item_fault is not None and position % item_fault.every == 0:
            return {"_index": key[0], "_id": key[1], "status": item_fault.status, "error": {
                "type": item_fault.error_type or ("es_rejected_execution_exception" if item_fault.status == 429
                                                  else "fault_injected"), "reason": "injected item fault"}}
        if key[1] in self.plan.mapping_conflict_ids:
            return {"_index": key[0], "_id": key[1], "status": 400, "error": {
                "type": "mapper_parsing_exception", "reason": "failed to parse field [fields] of type [flat_object]"}}
        attempts = self.create_attempts
        attempts[key] = attempts.get(key, 0) + 1
        if key in self.documents:
            return {"_index": key[0], "_id": key[1], "status": 409, "error": {
                "type": "version_conflict_engine_exception",
                "reason": f"[{key[1]}]: version conflict, document already exists (current version [1])"}}
        self.documents[key] = source
        return {"_index": key[0], "_id": key[1], "_version": 1, "result": "created", "status": 201}


COMPACT_FILTER = {"errors", "items.*.status", "items.*.error.type", "items.*.error.reason"}


class MappingTypeRejected(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def expected_authorization(path: str, headers: dict[str, str], wire: bytes, secret_key: str) -> str:
    """The Authorization header botocore computes for this request, with the signed headers,
    scope and time the client claims and the server's copy of the secret key."""
    credential, signed_headers, _ = (part.split("=", 1)[1] for part in
                                     headers["authorization"].split(" ", 1)[1].split(", "))
    access_key, day, region, service, _ = credential.split("/")
    request = AWSRequest(method="POST", url=f"http://{headers['host']}{path}", data=wire,
                         headers={name: headers[name] for name in signed_headers.split(";")})
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(Credentials(access_key, secret_key, headers.get("x-amz-security-token")), service, region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    return f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed_headers}, Signature={signature}"


def _filter_response(response: dict[str, Any], filter_path: str) -> dict[str, Any]:
    """The subset of ``filter_path`` the shipper uses: top-level keys and ``items.*.<key>[.<sub>]``."""
    top, item_paths = _filter_plan(filter_path)
    filtered: dict[str, Any] = {key: response[key] for key in top if key in response}
    if item_paths and "items" in response:
        kept_items = []
        for item in response["items"]:
            operation, result = next(iter(item.items()))
            kept: dict[str, Any] = {}
            for key, sub in item_paths:
                if key in result:
                    if sub:
                        if sub in result[key]:
                            kept.setdefault(key, {})[sub] = result[key][sub]
                    else:
                        kept[key] = result[key]
            kept_items.append({operation: kept})
        filtered["items"] = kept_items
    return filtered


@lru_cache(maxsize=16)
def _filter_plan(filter_path: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    paths = filter_path.split(",")
    items = tuple(tuple(path.split(".", 2)[2].partition(".")[::2]) for path in paths if path.startswith("items.*."))
    return tuple(paths), items  # type: ignore[return-value]
