"""The menu app as a real process: gunicorn on 127.0.0.1, DynamoDB from a moto server, spans to a fake collector.

The app is started exactly as its container starts it (`gunicorn --config gunicorn.conf.py
cafe_menu.wsgi:app`), with the environment the component sets, except that AWS endpoints point at a
moto server on 127.0.0.1 and the OTLP endpoint at a loopback receiver that decodes what the app exports.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.handlers.local_http import LoopbackJSONServer
from tests.services.menu.conftest import MENU_ROOT

TABLE = "platform-test-menu-table"
REGION = "us-east-1"


class FakeCollector(LoopbackJSONServer):
    """Receives OTLP/HTTP trace exports and keeps every span as (trace id, span id, parent id, name, kind)."""

    methods = ("POST",)

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        with self._lock:
            for resource in request.resource_spans:
                service = next((a.value.string_value for a in resource.resource.attributes
                                if a.key == "service.name"), None)
                for scope in resource.scope_spans:
                    for span in scope.spans:
                        self.spans.append({"trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                                           "parent_id": span.parent_span_id.hex(), "name": span.name,
                                           "kind": span.kind, "service": service})
        return 200, {}

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                found = [s for s in self.spans if predicate(s)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no exported span matched within {timeout} s; got {self.spans}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MenuProcess:
    """gunicorn serving the app; `lines()` are its stdout lines parsed as JSON (all of them must be JSON)."""

    def __init__(self, aws_endpoint: str, collector_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "OTEL_"))}
        env.update({"SERVICE_NAME": "menu", "ENVIRONMENT": "test", "LOG_LEVEL": "INFO", "MENU_TABLE": TABLE,
                    "PORT": str(self.port), "TELEMETRY_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "platform-test-menu-app",
                    "OTEL_EXPORTER_OTLP_ENDPOINT": collector_url, "OTEL_BSP_SCHEDULE_DELAY": "50",
                    "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1",
                    "AWS_ENDPOINT_URL": aws_endpoint, "AWS_DEFAULT_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "WEB_CONCURRENCY": "1", "PYTHONPATH": str(MENU_ROOT)})
        self._process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
             "--worker-tmp-dir", str(Path(os.environ.get("TMPDIR", "/tmp"))), "cafe_menu.wsgi:app"],
            cwd=MENU_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._out: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._wait_until_ready()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._out.append(line.rstrip("\n"))

    def _wait_until_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the menu app exited: {self._process.stderr.read() if self._process.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the menu app did not answer /health in time")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any], dict[str, str]]:
        request = urllib.request.Request(f"{self.url}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read()), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read()), dict(error.headers)

    def request(self, method: str, path: str) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(f"{self.url}{path}", method=method, data=b"{}" if method != "GET" else None)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self._out) if line.strip()]

    def wait_for_line(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines() if predicate(line)]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(f"no log line matched within {timeout} s; got {self._out}")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def running_menu(aws_endpoint: str, collector_url: str) -> Iterator[MenuProcess]:
    process = MenuProcess(aws_endpoint, collector_url)
    try:
        yield process
    finally:
        process.stop()
