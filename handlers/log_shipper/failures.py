"""How a failed request or item is classified: retry, split, refresh credentials or dead-letter.

Kept pure so the whole matrix of statuses is unit-tested without a server.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FailureKind = Literal["retryable", "too_large", "expired_credentials", "rejected"]

EXPIRED_TOKEN_MARKERS = (
    "security token included in the request is expired",
    "expiredtoken",
    "token has expired",
    "signature expired",
)


class RequestFailure(Exception):
    """A whole ``_bulk`` request failed; ``kind`` decides what the delivery loop does next."""

    def __init__(self, kind: FailureKind, status: int | None, detail: str) -> None:
        super().__init__(f"{kind} ({status}): {detail}")
        self.kind: FailureKind = kind
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class PermanentFailure:
    """Why a document was dead-lettered; the fields are written into the dead-letter object."""

    reason: str
    status: int | None = None
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        return {"reason": self.reason, "status": self.status, "detail": self.detail}


def classify_status(status: int | None, detail: str) -> FailureKind:
    """Whole-request statuses: only throttling, server errors and timeouts are worth retrying."""
    if status is None or status == 429 or status == 408 or status >= 500:
        return "retryable"
    if status == 413:
        return "too_large"
    if status == 403 and is_expired_credentials(detail):
        return "expired_credentials"
    return "rejected"


def is_expired_credentials(detail: str) -> bool:
    lowered = detail.lower()
    return any(marker in lowered for marker in EXPIRED_TOKEN_MARKERS)


def item_is_success(status: int) -> bool:
    """409 on ``create`` means an earlier delivery already indexed this event id: not a loss."""
    return 200 <= status < 300 or status == 409


def item_is_retryable(status: int) -> bool:
    return status == 429 or status >= 500
