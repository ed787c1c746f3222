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
from typing import Any, Callable, Mapping, TextIO, Tuple, Type, Union

from opentelemetry import trace

from handlers.telemetry import settings
from handlers.telemetry.invocation_state import InvocationState, current

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
LEVEL_NAMES = {number: name for name, number in LEVELS.items()}
ExcInfo = Union[bool, BaseException, Tuple[Type[BaseException], BaseException, Any], Tuple[None, None, None], None]
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


def level_name(number: int) -> str:
    """The name on the line; a custom numeric level keeps its number (`Level 25`), as in `logging`."""
    return LEVEL_NAMES.get(number) or f"Level {number}"


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


def format_message(message: Any, args: tuple[Any, ...]) -> tuple[Any, dict[str, Any]]:
    """`message % args` as the standard library does it, and keys to add when that fails.

    The standard library prints a traceback to stderr and loses the line when the arguments do
    not fit the template; here the template and its arguments are logged instead, so nothing is
    lost and the caller's mistake is visible in the same line.
    """
    if not args:
        return message, {}
    values: Any = args[0] if len(args) == 1 and isinstance(args[0], Mapping) and args[0] else args
    try:
        return str(message) % values, {}
    except Exception as error:
        return str(message), {"message_args": values if isinstance(values, Mapping) else list(values),
                              "message_format_error": f"{type(error).__name__}: {error}"}


def exception_of(exc_info: ExcInfo) -> BaseException | None:
    """The exception `exc_info=` designates: an exception, a sys.exc_info() tuple, or True for the current one."""
    if exc_info is None or exc_info is False:
        return None
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple):
        return exc_info[1] if len(exc_info) > 1 and isinstance(exc_info[1], BaseException) else None
    return sys.exc_info()[1]


class StructuredLogger:
    """Accepts both calling conventions: keyword arguments as JSON keys (`info("x", order_id=1)`)
    and the standard library's (`info("served %s items", 3, exc_info=True, extra={...})`), so code
    written for `logging` or for Powertools' Logger works unchanged."""

    def __init__(self, state: InvocationState = current, stream: TextIO | None = None) -> None:
        self._state = state
        self._stream = stream
        self._persistent_keys: dict[str, Any] = {}
        self.level = self._level_from_env()
        self.level_listeners: list[Callable[[int], None]] = []  # e.g. the standard logging bridge

    @staticmethod
    def _level_from_env() -> int:
        return LEVELS.get(settings.log_level_name(), LEVELS["INFO"])

    def set_level(self, level: str | int) -> None:
        self._change_level(level if isinstance(level, int) else LEVELS.get(str(level).upper(), LEVELS["INFO"]))

    def reload_level(self) -> None:
        """Re-read LOG_LEVEL; called at each cold start so an env change needs no code."""
        self._change_level(self._level_from_env())

    def _change_level(self, level: int) -> None:
        self.level = level
        for listener in self.level_listeners:
            listener(level)

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

    def debug(self, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
              stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        if self.level <= 10:
            self._log("DEBUG", message, args, exception_of(exc_info), extra, stack_info, keys)

    def info(self, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
             stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        if self.level <= 20:
            self._log("INFO", message, args, exception_of(exc_info), extra, stack_info, keys)

    def warning(self, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
                stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        if self.level <= 30:
            self._log("WARNING", message, args, exception_of(exc_info), extra, stack_info, keys)

    def error(self, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
              stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        if self.level <= 40:
            self._log("ERROR", message, args, exception_of(exc_info), extra, stack_info, keys)

    def critical(self, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
                 stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        self._log("CRITICAL", message, args, exception_of(exc_info), extra, stack_info, keys)

    def exception(self, message: Any, /, *args: Any, exc: BaseException | None = None, exc_info: ExcInfo = True,
                  extra: Mapping[str, Any] | None = None, stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        """ERROR line with the traceback of `exc` (or `exc_info`), by default of the exception being handled."""
        if self.level <= 40:
            self._log("ERROR", message, args, exc if exc is not None else exception_of(exc_info), extra, stack_info, keys)

    def log(self, level: int | str, message: Any, /, *args: Any, exc_info: ExcInfo = None, extra: Mapping[str, Any] | None = None,
            stack_info: bool = False, stacklevel: int = 1, **keys: Any) -> None:
        """`logging.Logger.log`: a numeric level (`logging.INFO`) or a level name."""
        number = level if isinstance(level, int) else LEVELS.get(str(level).upper(), LEVELS["INFO"])
        if number >= self.level:
            self._log(level_name(number), message, args, exception_of(exc_info), extra, stack_info, keys)

    def _log(self, level: str, message: Any, args: tuple[Any, ...], error: BaseException | None,
             extra: Mapping[str, Any] | None, stack_info: bool, keys: dict[str, Any]) -> None:
        if args:
            message, problem = format_message(message, args)
            keys = {**problem, **keys} if problem else keys
        if extra:
            keys = {**extra, **keys}
        if stack_info:
            keys = {**keys, "stack_info": "".join(traceback.format_stack()[:-2])}
        self.write(level, message, keys, error)

    def build_record(self, level: str, message: Any, keys: dict[str, Any], error: BaseException | None) -> dict[str, Any]:
        state = self._state
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            trace_hex = "%032x" % span_context.trace_id  # %-formatting: twice as fast as `f"{x:032x}"`
            span_hex: str | None = "%016x" % span_context.span_id
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

    def write(self, level: str, message: Any, keys: dict[str, Any], error: BaseException | None) -> None:
        """One JSON line, whatever the level; the level check is the caller's (the methods above)."""
        try:
            line = json.dumps(self.build_record(level, message, keys, error), default=json_default, separators=(",", ":"))
        except Exception as failure:  # e.g. a circular structure; log something rather than crash
            line = json.dumps({"timestamp": iso_timestamp(time.time()), "level": "ERROR", "message": f"unloggable record: {failure!r}", "service": self._state.service})
        (self._stream or sys.stdout).write(line + "\n")


logger = StructuredLogger()
