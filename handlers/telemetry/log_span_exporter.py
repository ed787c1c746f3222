"""Span exporter that needs no collector: each span becomes one JSON line on stdout.

CloudWatch Logs already receives stdout, and the log shipper routes lines carrying
`"record_type": "span"` to the trace index (docs/telemetry.md). This keeps the Lambda
free of network calls for telemetry and of an extension or sidecar.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Sequence, TextIO

from handlers.telemetry.span_line import span_lines


class LogLineSpanExporter:
    """Duck-typed SpanExporter: subclassing would import the SDK's export module (~2 ms at init)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self.dropped_for_deadline = 0

    def export(self, spans: Sequence[Any]) -> Any:
        from opentelemetry.sdk.trace.export import SpanExportResult

        self.export_until(spans, deadline=None)
        return SpanExportResult.SUCCESS

    def export_until(self, spans: Sequence[Any], deadline: float | None, into: list[str] | None = None) -> int:
        """Write spans until `deadline` (time.monotonic()); returns how many were not written.

        With `into`, and no stream of its own, the lines are appended to it instead, for the
        caller to write with others at once.
        """
        lines = span_lines(spans)
        write = into.append if into is not None and self._stream is None else (self._stream or sys.stdout).write
        for index, line in enumerate(lines):
            if deadline is not None and time.monotonic() >= deadline:
                left = len(lines) - index
                self.dropped_for_deadline += left
                return left
            write(line + "\n")
        return 0

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
