"""What the cold-start subjects talk to, on 127.0.0.1 only: a DynamoDB endpoint, an X-Ray daemon
and (for the ADOT-style subject) an OTLP collector.

The DynamoDB stand-in answers GetItem with one fixed item, so every subject makes the same
real HTTP call through botocore (signing, endpoint resolution, response parsing) without AWS.
The daemon stand-in collects the UDP segment documents the subjects send, so the benchmark
can check that the AWS call still appears as an X-Ray subsegment under the function's segment.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

from tests.handlers.local_http import LoopbackJSONServer

TABLE = "platform-bench-orders"
ITEM = {"order_id": {"S": "o-1"}, "status": {"S": "placed"}, "total": {"N": "12.50"}}


class FakeDynamoDB(LoopbackJSONServer):
    methods = ("POST",)

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        self.requests += 1
        if headers.get("x-amz-target") != "DynamoDB_20120810.GetItem":
            return 400, {"__type": "com.amazon.coral.validate#ValidationException", "message": "only GetItem is served"}
        return 200, {"Item": ITEM}


class OtlpCollector(LoopbackJSONServer):
    """Stands in for the ADOT collector extension: accepts OTLP/HTTP exports and answers 200 at once."""

    methods = ("POST",)

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        return 200, {}


class XRayDaemonSink:
    """Receives `{"format":"json","version":1}\\n<document>` datagrams, as the X-Ray daemon does."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._documents: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._receive, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def __enter__(self) -> XRayDaemonSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()

    def _receive(self) -> None:
        while True:
            try:
                datagram = self._socket.recv(65536)
            except OSError:
                return
            _, _, document = datagram.partition(b"\n")
            try:
                parsed = json.loads(document)
            except ValueError:
                continue
            with self._lock:
                self._documents.append(parsed)

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            documents, self._documents = self._documents, []
        return documents


def traced_call(documents: list[dict[str, Any]], trace_id: str, function_segment_id: str) -> bool:
    """Whether a GetItem subsegment of `trace_id` descends from the function's segment.

    Subsegments arrive either on their own (with `parent_id`) or nested in their parent's
    `subsegments`, and may sit under another subsegment (Powertools' `## handler`).
    """
    parents: dict[str, str] = {}
    calls: list[str] = []

    def visit(entity: dict[str, Any], parent: str | None) -> None:
        if parent is not None:
            parents[entity.get("id", "")] = parent
        elif entity.get("parent_id"):
            parents[entity.get("id", "")] = entity["parent_id"]
        if (entity.get("aws") or {}).get("operation") == "GetItem" and entity.get("namespace") == "aws":
            calls.append(entity.get("id", ""))
        for child in entity.get("subsegments") or []:
            visit(child, entity.get("id", ""))

    for document in documents:
        if document.get("trace_id") == trace_id:
            visit(document, None)
    for call in calls:
        seen, node = set(), call
        while node in parents and node not in seen:
            seen.add(node)
            node = parents[node]
            if node == function_segment_id:
                return True
    return False
