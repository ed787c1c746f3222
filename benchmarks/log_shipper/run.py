"""All log shipper benchmarks in one command (results go to benchmarks/README.md by hand):

    .venv/bin/python benchmarks/log_shipper/run.py
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    for script in ("decode_transform.py", "throughput.py"):
        print(f"== {script}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script)])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
