"""Pure validation of the extractor's input: `{"day": "YYYY-MM-DD"}`.

The caller may add `_trace_context` (handlers.telemetry.propagation.inject_payload); nothing
else is accepted, so a caller's typo fails loudly instead of silently reading another day.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ALLOWED_FIELDS = frozenset(("day", "_trace_context"))


class InvalidRequest(ValueError):
    """Raised to the caller as the function error `InvalidRequest`, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def requested_day(event: Any) -> str:
    if not isinstance(event, dict):
        raise InvalidRequest("event", "must be a JSON object like {\"day\": \"YYYY-MM-DD\"}")
    unknown = sorted(set(event) - ALLOWED_FIELDS)
    if unknown:
        raise InvalidRequest(unknown[0], "is not a known field")
    day = event.get("day")
    if day is None:
        raise InvalidRequest("day", "is required")
    if not isinstance(day, str) or not DAY.fullmatch(day):
        raise InvalidRequest("day", "must be a date YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(day)
    except ValueError as error:
        raise InvalidRequest("day", f"is not a calendar date ({error})") from error
    return day
