"""What the logger, metrics and helpers need to know about the invocation in progress.

Lambda runs one invocation at a time per process, so a single mutable record is enough;
`instrument` fills it when an invocation starts and clears it when it ends, which is what
keeps per-invocation log keys and metric dimensions from leaking into the next invocation.
"""

from __future__ import annotations

from typing import Any, Callable

from handlers.telemetry import settings


class InvocationState:
    __slots__ = ("service", "request_id", "cold_start", "lambda_context", "log_keys", "idle_task")

    def __init__(self, service: str | None = None) -> None:
        self.service: str = service or settings.service_name()
        self.request_id: str | None = None
        self.cold_start: bool | None = None
        self.lambda_context: Any = None
        self.log_keys: dict[str, Any] = {}
        self.idle_task: Callable[[], None] | None = None  # see `while_waiting`

    def begin(self, service: str, request_id: str | None, cold_start: bool, lambda_context: Any) -> None:
        self.service = service
        self.request_id = request_id
        self.cold_start = cold_start
        self.lambda_context = lambda_context
        self.log_keys.clear()

    def end(self) -> None:
        self.request_id = None
        self.cold_start = None
        self.lambda_context = None
        self.log_keys.clear()
        self.idle_task = None

    def while_waiting(self) -> None:
        """Run the telemetry work of this invocation that can be done before it ends (at most
        once per invocation). A handler calls it when it has sent a request and waits for the
        answer: the processor is idle then, and what it does now is not done after the
        handler returns, when the invocation's duration is still running."""
        task, self.idle_task = self.idle_task, None
        if task is not None:
            try:
                task()
            except Exception:  # noqa: BLE001 - the work is done again at the end, the usual way
                pass

    def remaining_time_ms(self) -> int | None:
        """None outside Lambda (no context), so callers can tell "unknown" from "none left"."""
        getter = getattr(self.lambda_context, "get_remaining_time_in_millis", None)
        if getter is None:
            return None
        try:
            return int(getter())
        except Exception:  # a broken test double must not break telemetry
            return None


current = InvocationState()
