"""Standard-library log records, written as the JSON logger's lines.

Libraries log through `logging` (botocore, urllib3, the X-Ray SDK, Powertools), and so does code
written before this package. Inside Lambda the runtime puts a plain-text handler on the root
logger and leaves the root at WARNING: those lines carry no trace or span id, are not JSON, and
OpenSearch indexes them as one opaque string. `route_standard_logging` mutes the root's
handlers and adds one that writes each record through the JSON logger, with the trace, span and
request ids, the record's logger name and its `extra=` keys at the top level, and keeps the
root's level equal to the JSON logger's, so LOG_LEVEL governs both.

`instrument` routes inside Lambda only (`TELEMETRY_STDLIB_LOGGING=off` keeps the runtime's
handler); elsewhere the host's own logging set-up (pytest's, a CLI's) is left alone.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from handlers.telemetry import settings
from handlers.telemetry.structured_logger import StructuredLogger, format_message, level_name
from handlers.telemetry.structured_logger import logger as json_logger

# Attributes every LogRecord has; anything else on a record came from `extra=`. The Lambda
# runtime's filter adds aws_request_id, which the JSON line already carries as request_id.
STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName", "aws_request_id"}


class JsonLogHandler(logging.Handler):
    """A `logging` handler that writes each record as one line of a StructuredLogger."""

    def __init__(self, target: StructuredLogger) -> None:
        super().__init__()
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        try:
            args = record.args if isinstance(record.args, tuple) else (record.args,) if record.args else ()
            message, keys = format_message(record.msg, args)
            keys.update((name, value) for name, value in vars(record).items() if name not in STANDARD_ATTRIBUTES)
            keys["logger"] = record.name
            if record.stack_info:
                keys["stack_info"] = record.stack_info
            error = record.exc_info[1] if record.exc_info else None
            self.target.write(level_name(record.levelno), message, keys, error)
        except Exception:
            self.handleError(record)


def _drop(record: logging.LogRecord) -> bool:
    return False


_routing: dict[str, Any] = {}  # what route_standard_logging changed, for restore()


def route_standard_logging(target: StructuredLogger = json_logger) -> bool:
    """Make the root logger write through `target`; idempotent. Returns whether it changed anything.

    The handlers already on the root (the runtime's) are muted with a filter rather than removed,
    so that `restore` undoes exactly this and nothing else.
    """
    if _routing:
        return False
    root = logging.getLogger()
    handler = JsonLogHandler(target)
    _routing.update(muted=list(root.handlers), level=root.level, handler=handler, target=target)
    for previous in _routing["muted"]:
        previous.addFilter(_drop)
    root.addHandler(handler)

    def follow(level: int) -> None:
        root.setLevel(level)
        handler.setLevel(level)

    _routing["follow"] = follow
    target.level_listeners.append(follow)
    follow(target.level)
    return True


def restore() -> None:
    """Undo `route_standard_logging`: unmute the root's handlers, put its level back (tests use it)."""
    if not _routing:
        return
    root = logging.getLogger()
    root.removeHandler(_routing["handler"])
    for previous in _routing["muted"]:
        previous.removeFilter(_drop)
    root.setLevel(_routing["level"])
    listeners: list[Callable[[int], None]] = _routing["target"].level_listeners
    if _routing["follow"] in listeners:
        listeners.remove(_routing["follow"])
    _routing.clear()


def enabled() -> bool:
    return settings.running_in_lambda() and settings.stdlib_logging_routed()


def enable() -> bool:
    """Route standard logging when configured to (see the module docstring); returns whether it did."""
    return route_standard_logging() if enabled() else False
