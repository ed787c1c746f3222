"""The stdout a benchmarked handler writes to: /dev/null, written to as Lambda's runtime makes it.

Lambda's Python runtime (awslambdaric) replaces `sys.stdout` with a wrapper that flushes after
every write, so each write a handler makes is a system call to the log pipe. A block-buffered
stdout, Python's default for a file, would gather an invocation's lines into one write and make
a handler that writes many lines look cheaper than it is in Lambda. The reference model
(`log_shipper/reference_model/`) writes each line with its own system call, as Lambda's Node.js
runtime does.
"""
from __future__ import annotations

import os
from typing import Any, Iterable


class FlushingStdout:
    """Every write reaches the file at once, as in Lambda."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        self._stream.flush()
        return written

    def writelines(self, lines: Iterable[str]) -> None:
        self._stream.writelines(lines)
        self._stream.flush()

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def lambda_stdout() -> FlushingStdout:
    """A stdout for the handler under test; its lines go nowhere, at Lambda's cost per write."""
    return FlushingStdout(open(os.devnull, "w"))  # noqa: SIM115 - for the life of the process
