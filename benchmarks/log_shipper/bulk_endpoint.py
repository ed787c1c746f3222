"""The local bulk endpoint in its own process, so the endpoint's JSON parsing does not compete
with the shipper for one interpreter lock and the throughput measured is the shipper's.

    .venv/bin/python -m benchmarks.log_shipper.bulk_endpoint --seconds 120
Prints the URL on its first line; stops by itself after --seconds (bounded, 127.0.0.1 only).
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer  # noqa: E402


def main() -> None:
    # The endpoint keeps every document; as that heap grows, cyclic-GC passes would land at
    # random moments in whichever client's run is measuring. Nothing here forms cycles.
    gc.disable()
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    with FakeBulkServer(parse_sources=False) as server:
        print(server.url, flush=True)
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline and not sys.stdin.closed:
            line = sys.stdin.readline()
            if not line:  # the parent closed our stdin: it is done
                break
            if line.strip() == "count":
                print(len(server.documents), flush=True)


if __name__ == "__main__":
    main()
