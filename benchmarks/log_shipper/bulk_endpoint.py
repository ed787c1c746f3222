"""The local bulk endpoint in its own process, so the endpoint's work does not compete with the
shipper for one interpreter lock and the throughput measured is the client's.

    .venv/bin/python -m benchmarks.log_shipper.bulk_endpoint --seconds 120 [--tls]

It is the test suite's fake (``tests/handlers/log_shipper/fake_bulk_server.py``): it verifies
every SigV4 signature with botocore, answers ``create`` and ``index`` per item, and here also
accepts the ``_type`` the reference function sends. With ``--tls`` it serves HTTPS with a
self-signed certificate for 127.0.0.1 made at start-up. Prints one JSON line
``{"url", "ca_file"}``, then answers ``count`` on stdin; it stops by itself after --seconds, or
when its stdin closes (bounded, 127.0.0.1 only).
"""
from __future__ import annotations

import argparse
import gc
import json
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer, RequestFault  # noqa: E402
from tests.handlers.log_shipper.tls import self_signed_certificate  # noqa: E402


class BenchmarkEndpoint(FakeBulkServer):
    """The fake, optionally over TLS; the listening socket is wrapped before serving starts."""

    def __init__(self, tls_files: tuple[Path, Path] | None) -> None:
        super().__init__(parse_sources=False, accepts_mapping_types=True)
        self.scheme = "http"
        if tls_files is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(*tls_files)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"

    @property
    def url(self) -> str:
        return super().url.replace("http://", f"{self.scheme}://", 1)


def main() -> None:
    # The endpoint keeps every document; as that heap grows, cyclic-GC passes would land at
    # random moments in whichever client's run is measuring. Nothing here forms cycles.
    gc.disable()
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tls_files = self_signed_certificate(Path(folder)) if args.tls else None
        with BenchmarkEndpoint(tls_files) as server:
            print(json.dumps({"url": server.url, "ca_file": str(tls_files[0]) if tls_files else None}), flush=True)
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline and not sys.stdin.closed:
                line = sys.stdin.readline()
                if not line:  # the parent closed our stdin: it is done
                    break
                command, _, argument = line.strip().partition(" ")
                if command == "count":
                    print(len(server.documents), flush=True)
                elif command == "refuse":  # an outage: every request answered with this status
                    with server.lock:
                        server.plan.request_faults[:] = [RequestFault(int(argument))] * 1_000_000
                    print("ok", flush=True)
                elif command == "recover":
                    with server.lock:
                        server.plan.request_faults.clear()
                    print("ok", flush=True)


@contextmanager
def running_endpoint(tls: bool = True, seconds: float = 1800) -> Iterator[tuple[subprocess.Popen[str], str, str | None]]:
    """The endpoint process, its URL and its CA file; it stops when this context exits."""
    command = [sys.executable, "-m", "benchmarks.log_shipper.bulk_endpoint", "--seconds", str(seconds)]
    process = subprocess.Popen(command + (["--tls"] if tls else []), cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    started = json.loads(process.stdout.readline())
    try:
        yield process, started["url"], started["ca_file"]
    finally:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=30)


def command(process: subprocess.Popen[str], line: str) -> str:
    """Send one command to the endpoint process and return its answer."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(line + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


if __name__ == "__main__":
    main()
