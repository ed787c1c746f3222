"""What the logger, metrics and helpers need to know about the invocation in progress.

Lambda runs one invocation at a time per process, so a single mutable record is enough;
`instrument` fills it when an invocation starts and clears it when it ends, which is what
keeps per-invocation log keys and metric dimensions from leaking into the next invocation.
"""

from __future__ import annotations

from typing import Any

from handlers.telemetry import settings


class InvocationState:
    __slots__ = ("service", "request_id", "cold_start", "lambda_context", "log_keys")

    def __init__(self, service: str | None = None) -> None:
        self.service: str = service or settings.service_name()
        self.request_id: str | None = None
        self.cold_start: bool | None = None
        self.lambda_context: Any = None
        self.log_keys: dict[str, Any] = {}

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
