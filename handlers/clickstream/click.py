"""One click as the browser sent it: `{"session_id", "page", "event"}` (pure).

API Gateway validates the body against a JSON schema before writing it to Kinesis, so a
record that fails here is a poison record (written some other way, or a schema gap): it is
rejected with the field named, never guessed at. Extra fields are ignored, such as the
`_trace_context` a producer may add.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

PAGE_VIEW = "page_view"
MAX_PAGE_LENGTH = 512
SESSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
EVENT = re.compile(r"[a-z][a-z_]{0,63}")
PAGE = re.compile(r"/[\x21-\x7e]*")


class MalformedClick(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Click:
    session_id: str
    page: str
    event: str

    @property
    def is_page_view(self) -> bool:
        return self.event == PAGE_VIEW


def _page(value: Any) -> str:
    """A URL path is ASCII (anything else arrives percent-encoded), so only visible ASCII is a page;
    the API's JSON schema (handlers/contracts.py) says the same."""
    if not isinstance(value, str) or not value.startswith("/"):
        raise MalformedClick("page", "must be a path starting with '/'")
    if len(value) > MAX_PAGE_LENGTH:
        raise MalformedClick("page", f"must be at most {MAX_PAGE_LENGTH} characters")
    if not PAGE.fullmatch(value):
        raise MalformedClick("page", "must be visible ASCII characters, without spaces (percent-encode the rest)")
    return value


def parse_click(data: bytes) -> Click:
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):  # also bytes that are not UTF-8
        raise MalformedClick("data", "is not JSON") from None
    if not isinstance(payload, dict):
        raise MalformedClick("data", "must be a JSON object")
    session_id, event = payload.get("session_id"), payload.get("event")
    if not isinstance(session_id, str) or not SESSION.fullmatch(session_id):
        raise MalformedClick("session_id", "must be 1-128 letters, digits, '_', '.', ':' or '-'")
    if not isinstance(event, str) or not EVENT.fullmatch(event):
        raise MalformedClick("event", "must be 1-64 lowercase letters or '_'")
    return Click(session_id, _page(payload.get("page")), event)


def minute_of(epoch_seconds: float) -> str:
    """`YYYY-MM-DDTHH:MM` in UTC: the minute Kinesis received the record, which every retry of
    the record agrees on (unlike the time it is processed)."""
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(epoch_seconds))
