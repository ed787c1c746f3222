"""All log shipper benchmarks in one command (results go to benchmarks/README.md by hand).
compare_reference.py and cold_start.py need node on PATH; outage.py takes about 80 s.

    .venv/bin/python benchmarks/log_shipper/run.py
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    for script, *arguments in (("decode_transform.py",), ("decode_transform.py", "--codec", "json"),
                               ("throughput.py",), ("compare_reference.py",), ("cold_start.py",),
                               ("outage.py",)):
        print(f"== {script} {' '.join(arguments)}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), *arguments])
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
