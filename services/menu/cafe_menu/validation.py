"""Request validation: every malformed request becomes a `BadRequest` naming what is wrong (a 400).

Pure functions of the query string and path, so the tests can cover whole classes of input without a
server. Nothing here trusts the client: unknown parameters are refused rather than ignored, so a typo
(`?limt=5`) is reported instead of silently returning 50 items.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_TOKEN_CHARS = 512
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CATEGORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
LIST_PARAMETERS = ("limit", "category", "next_token")


class BadRequest(ValueError):
    """A client error; `field` names the parameter, `message` says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ListQuery:
    limit: int = DEFAULT_LIMIT
    category: str | None = None
    start_key: str | None = None      # the item_id to continue after


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(name, "given more than once")
    return values[0]


def encode_token(item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"item_id": item_id}).encode()).decode().rstrip("=")


def decode_token(token: str) -> str:
    if len(token) > MAX_TOKEN_CHARS:
        raise BadRequest("next_token", f"at most {MAX_TOKEN_CHARS} characters, as returned by the previous page")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadRequest("next_token", "not a token returned by the previous page") from None
    item_id = data.get("item_id") if isinstance(data, dict) else None
    if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id):
        raise BadRequest("next_token", "not a token returned by the previous page")
    return item_id


def list_query(params: Mapping[str, Sequence[str]]) -> ListQuery:
    """`GET /menu?limit=&category=&next_token=`."""
    unknown = sorted(set(params) - set(LIST_PARAMETERS))
    if unknown:
        raise BadRequest(unknown[0] or "query", f"unknown parameter {unknown[0]!r}; allowed: {', '.join(LIST_PARAMETERS)}")
    limit_text = _single(params, "limit")
    limit = DEFAULT_LIMIT
    if limit_text is not None:
        if not re.fullmatch(r"[0-9]{1,4}", limit_text) or not 1 <= int(limit_text) <= MAX_LIMIT:
            raise BadRequest("limit", f"an integer from 1 to {MAX_LIMIT}")
        limit = int(limit_text)
    category = _single(params, "category")
    if category is not None and not CATEGORY.fullmatch(category):
        raise BadRequest("category", "1 to 40 lowercase letters, digits and '-', starting with a letter or digit")
    token = _single(params, "next_token")
    return ListQuery(limit=limit, category=category, start_key=decode_token(token) if token is not None else None)


def item_id(value: str) -> str:
    """`GET /menu/<item_id>`."""
    if not ITEM_ID.fullmatch(value):
        raise BadRequest("item_id", "1 to 64 letters, digits, '_' and '-'")
    return value
