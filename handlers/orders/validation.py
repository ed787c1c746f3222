"""Pure input validation for the orders API: every rejection names the offending field.

Bad input must always become a 400 that tells the caller what to fix, never a 500, so
everything arriving from the client is checked here before any I/O.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_ITEMS = 50
MAX_QUANTITY = 1000
MAX_UNIT_PRICE = Decimal("1000000")
MAX_NOTE_LENGTH = 500
MAX_BODY_BYTES = 64 * 1024
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TOKEN_LENGTH = 1024
MAX_IDEMPOTENCY_KEY_LENGTH = 255
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Every pattern is applied with fullmatch: `$` also matches before a trailing newline, so
# `re.match("...$")` accepted "c-1\n". Character classes are spelled out in ASCII because `\d`
# and str.isdigit() accept other scripts' digits and superscripts, which int() then rejects.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
ORDER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
CURRENCY = re.compile(r"[A-Z]{3}")
LIMIT = re.compile(r"[0-9]{1,4}")
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,%d}" % MAX_IDEMPOTENCY_KEY_LENGTH)
ALLOWED_ORDER_FIELDS = frozenset(("customer_id", "items", "currency", "note"))
ALLOWED_ITEM_FIELDS = frozenset(("sku", "quantity", "unit_price"))


class InvalidInput(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class OrderItem:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class NewOrder:
    customer_id: str
    items: tuple[OrderItem, ...]
    currency: str
    note: str | None

    @property
    def total(self) -> Decimal:
        return sum((item.unit_price * item.quantity for item in self.items), Decimal("0"))


@dataclass(frozen=True)
class PageRequest:
    limit: int
    start_key: str | None  # the order_id to continue after


def parse_json_body(body: Any, is_base64: bool = False) -> Any:
    if body is None or body == "":
        raise InvalidInput("body", "a JSON object is required")
    if not isinstance(body, str):
        raise InvalidInput("body", "must be a JSON document")
    if is_base64:
        try:
            raw = base64.b64decode(body, validate=True)
        except ValueError as error:  # binascii.Error, or a str with non-ASCII characters
            raise InvalidInput("body", "is not valid base64") from error
    else:
        try:
            raw = body.encode("utf-8")
        except UnicodeEncodeError as error:  # a lone surrogate, which no UTF-8 request can carry
            raise InvalidInput("body", "is not valid UTF-8 text") from error
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInput("body", f"must be at most {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput("body", "is not valid UTF-8 text") from error
    try:
        # Decimal keeps prices exact and is what DynamoDB needs; reject NaN/Infinity literals.
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except InvalidInput:
        raise
    except (ValueError, RecursionError) as error:
        raise InvalidInput("body", f"is not valid JSON ({error.__class__.__name__})") from error


def _reject_constant(name: str) -> Any:
    raise InvalidInput("body", f"{name} is not a valid JSON number")


def _identifier(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(field, "must be a string")
    if not IDENTIFIER.fullmatch(value):
        raise InvalidInput(field, "must be 1-64 characters: letters, digits, '_', '.', '-', starting with a letter or digit")
    return value


def _quantity(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(field, "must be an integer")
    if value <= 0:
        raise InvalidInput(field, "must be positive")
    if value > MAX_QUANTITY:
        raise InvalidInput(field, f"must be at most {MAX_QUANTITY}")
    return value


def _price(value: Any, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InvalidInput(field, "must be a number")
    try:
        price = Decimal(value)
    except InvalidOperation as error:  # pragma: no cover - json already produced a number
        raise InvalidInput(field, "must be a number") from error
    if not price.is_finite() or price < 0:
        raise InvalidInput(field, "must not be negative")
    if price > MAX_UNIT_PRICE:
        raise InvalidInput(field, f"must be at most {MAX_UNIT_PRICE}")
    if price.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput(field, "must have at most 2 decimal places")
    return price


def _item(value: Any, index: int) -> OrderItem:
    field = f"items[{index}]"
    if not isinstance(value, dict):
        raise InvalidInput(field, "must be an object")
    unknown = sorted(set(value) - ALLOWED_ITEM_FIELDS)
    if unknown:
        raise InvalidInput(f"{field}.{_printable(unknown[0])}", "is not a known field")
    for name in ("sku", "quantity", "unit_price"):
        if name not in value:
            raise InvalidInput(f"{field}.{name}", "is required")
    return OrderItem(
        sku=_identifier(value["sku"], f"{field}.sku"),
        quantity=_quantity(value["quantity"], f"{field}.quantity"),
        unit_price=_price(value["unit_price"], f"{field}.unit_price"),
    )


def validate_new_order(payload: Any, accepted_currency: str | None = None) -> NewOrder:
    """`accepted_currency` (env CAFE_CURRENCY): the café takes one currency, and the sales aggregate
    would dead-letter an order in another, so the API refuses it up front."""
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    unknown = sorted(set(payload) - ALLOWED_ORDER_FIELDS)
    if unknown:
        raise InvalidInput(_printable(unknown[0]), "is not a known field")
    if "customer_id" not in payload:
        raise InvalidInput("customer_id", "is required")
    customer_id = _identifier(payload["customer_id"], "customer_id")
    if "items" not in payload:
        raise InvalidInput("items", "is required")
    items = payload["items"]
    if not isinstance(items, list):
        raise InvalidInput("items", "must be a list")
    if not items:
        raise InvalidInput("items", "must not be empty")
    if len(items) > MAX_ITEMS:
        raise InvalidInput("items", f"must contain at most {MAX_ITEMS} items")
    currency = payload.get("currency", "EUR")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise InvalidInput("currency", "must be a 3-letter ISO 4217 code such as EUR")
    if accepted_currency and currency != accepted_currency:
        raise InvalidInput("currency", f"must be {accepted_currency}, the only currency this café takes")
    note = payload.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE_LENGTH):
        raise InvalidInput("note", f"must be a string of at most {MAX_NOTE_LENGTH} characters")
    if note is not None and not _is_unicode_text(note):
        raise InvalidInput("note", "must be valid Unicode text (it holds an unpaired surrogate escape)")
    return NewOrder(customer_id, tuple(_item(item, index) for index, item in enumerate(items)), currency, note)


def validate_order_id(value: Any) -> str:
    if not isinstance(value, str) or not ORDER_ID.fullmatch(value):
        raise InvalidInput("order_id", "must be a lowercase UUID (version 4)")
    return value


def encode_next_token(order_id: str) -> str:
    raw = json.dumps({"order_id": order_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_next_token(token: Any) -> str:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInput("next_token", "is not a token returned by this API")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidInput("next_token", "is not a token returned by this API") from error
    if not isinstance(payload, dict) or set(payload) != {"order_id"}:
        raise InvalidInput("next_token", "is not a token returned by this API")
    try:
        return validate_order_id(payload["order_id"])
    except InvalidInput as error:
        raise InvalidInput("next_token", "is not a token returned by this API") from error


def validate_page(query: Any) -> PageRequest:
    if query is None:
        query = {}
    if not isinstance(query, dict):
        raise InvalidInput("queryStringParameters", "must be an object of query parameters")
    unknown = sorted((str(name) for name in set(query) - {"limit", "next_token"}), key=str)
    if unknown:
        raise InvalidInput(_printable(unknown[0]), "is not a known query parameter")
    raw_limit = query.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not isinstance(raw_limit, str) or not LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise InvalidInput("limit", f"must be an integer from 1 to {MAX_LIMIT}")
        limit = int(raw_limit)
    token = query.get("next_token")
    return PageRequest(limit=limit, start_key=decode_next_token(token) if token is not None else None)


def idempotency_key(headers: Any, multi_value_headers: Any = None) -> str | None:
    """The `Idempotency-Key` request header (names are case-insensitive), or None without one.

    API Gateway fills `headers` with the last value of each header and `multiValueHeaders` with
    all of them, so a key sent twice with different values is caught in the latter.
    """
    found = [value for name, value in _items(headers) if _is_header(name)]
    for name, values in _items(multi_value_headers):
        if _is_header(name):
            found.extend(values if isinstance(values, list) else [values])
    if not found:
        return None
    if not all(isinstance(value, str) and IDEMPOTENCY_KEY.fullmatch(value) for value in found):
        raise InvalidInput(IDEMPOTENCY_HEADER,
                           f"must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters")
    if len(set(found)) > 1:
        raise InvalidInput(IDEMPOTENCY_HEADER, "must be given once")
    return found[0]


def _items(mapping: Any) -> list[tuple[Any, Any]]:
    return list(mapping.items()) if isinstance(mapping, dict) else []


def _is_header(name: Any) -> bool:
    return isinstance(name, str) and name.lower() == IDEMPOTENCY_HEADER.lower()


def _is_unicode_text(text: str) -> bool:
    """False for a string with a lone surrogate: JSON's \\ud800 escape decodes to one, and no
    UTF-8 encoder (DynamoDB's included) can store it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A field name safe to echo back and log: unpaired surrogates shown as \\udXXX escapes, and
    the empty name as `""` so the error still names something."""
    if not name:
        return '""'
    return name if _is_unicode_text(name) else name.encode("utf-8", "backslashreplace").decode("utf-8")
