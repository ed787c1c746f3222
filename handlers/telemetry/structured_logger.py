"""One JSON object per line, correlated with the trace and the Lambda request.

CloudWatch Logs is shipped to OpenSearch line by line, so a multi-line traceback would
become several documents; everything, including tracebacks, goes into one line here.
The logger writes straight to stdout instead of going through `logging` handlers, which
keeps a log call to a few microseconds and avoids the Lambda runtime's own formatting.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from typing import Any, TextIO

from opentelemetry import trace

from handlers.telemetry import settings
from handlers.telemetry.invocation_state import InvocationState, current

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
RESERVED_KEYS = frozenset(
    (
        "timestamp",
        "level",
        "message",
        "service",
        "environment",
        "request_id",
        "trace_id",
        "span_id",
        "xray_trace_id",
        "cold_start",
        "exception",
        "record_type",
        "_aws",
    )
)


def iso_timestamp(epoch_seconds: float) -> str:
    """ISO 8601 UTC with milliseconds, the format OpenSearch date fields parse without a pattern."""
    whole = int(epoch_seconds)
    millis = int((epoch_seconds - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"


def xray_trace_id(trace_id_hex: str) -> str:
    return f"1-{trace_id_hex[:8]}-{trace_id_hex[8:]}"


def json_default(value: Any) -> Any:
    """Never let an unserialisable value turn a log call into a crash."""
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class StructuredLogger:
    def __init__(self, state: InvocationState = current, stream: TextIO | None = None) -> None:
        self._state = state
        self._stream = stream
        self._persistent_keys: dict[str, Any] = {}
        self.level = self._level_from_env()

    @staticmethod
    def _level_from_env() -> int:
        return LEVELS.get(settings.log_level_name(), LEVELS["INFO"])

    def set_level(self, level: str | int) -> None:
        self.level = level if isinstance(level, int) else LEVELS.get(str(level).upper(), LEVELS["INFO"])

    def reload_level(self) -> None:
        """Re-read LOG_LEVEL; called at each cold start so an env change needs no code."""
        self.level = self._level_from_env()

    def set_stream(self, stream: TextIO | None) -> None:
        """None means "sys.stdout at write time", which is what pytest's capsys replaces."""
        self._stream = stream

    def append_keys(self, **keys: Any) -> None:
        """Keys for the current invocation only; cleared when the invocation ends."""
        self._state.log_keys.update(keys)

    def remove_keys(self, *names: str) -> None:
        for name in names:
            self._state.log_keys.pop(name, None)

    def append_persistent_keys(self, **keys: Any) -> None:
        """Keys for every line of this process, e.g. set once at module import."""
        self._persistent_keys.update(keys)

    def is_enabled_for(self, level_name: str) -> bool:
        return LEVELS[level_name] >= self.level

    def debug(self, message: str, /, **keys: Any) -> None:
        if self.level <= 10:
            self._emit("DEBUG", message, keys, None)

    def info(self, message: str, /, **keys: Any) -> None:
        if self.level <= 20:
            self._emit("INFO", message, keys, None)

    def warning(self, message: str, /, **keys: Any) -> None:
        if self.level <= 30:
            self._emit("WARNING", message, keys, None)

    def error(self, message: str, /, **keys: Any) -> None:
        if self.level <= 40:
            self._emit("ERROR", message, keys, None)

    def critical(self, message: str, /, **keys: Any) -> None:
        self._emit("CRITICAL", message, keys, None)

    def exception(self, message: str, /, exc: BaseException | None = None, **keys: Any) -> None:
        """ERROR line with the traceback of `exc`, or of the exception being handled."""
        if self.level <= 40:
            error = exc if exc is not None else sys.exc_info()[1]
            self._emit("ERROR", message, keys, error)

    def build_record(self, level: str, message: str, keys: dict[str, Any], error: BaseException | None) -> dict[str, Any]:
        state = self._state
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            trace_hex = f"{span_context.trace_id:032x}"
            span_hex: str | None = f"{span_context.span_id:016x}"
            xray_id: str | None = xray_trace_id(trace_hex)
        else:
            trace_hex = span_hex = xray_id = None  # type: ignore[assignment]
        record: dict[str, Any] = {
            "timestamp": iso_timestamp(time.time()),
            "level": level,
            "message": message,
            "service": state.service,
            "environment": settings.environment(),
            "request_id": state.request_id,
            "trace_id": trace_hex,
            "span_id": span_hex,
            "xray_trace_id": xray_id,
            "cold_start": state.cold_start,
        }
        for extra in (self._persistent_keys, state.log_keys, keys):
            for key, value in extra.items():
                record[key if key not in RESERVED_KEYS else f"extra_{key}"] = value
        if error is not None:
            record["exception"] = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            record["exception_type"] = type(error).__name__
        return record

    def _emit(self, level: str, message: str, keys: dict[str, Any], error: BaseException | None) -> None:
        try:
            line = json.dumps(self.build_record(level, message, keys, error), default=json_default, separators=(",", ":"))
        except Exception as failure:  # e.g. a circular structure; log something rather than crash
            line = json.dumps({"timestamp": iso_timestamp(time.time()), "level": "ERROR", "message": f"unloggable record: {failure!r}", "service": self._state.service})
        (self._stream or sys.stdout).write(line + "\n")


logger = StructuredLogger()
