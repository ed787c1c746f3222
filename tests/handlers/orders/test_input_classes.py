"""Whole classes of client input, not single examples: whatever a client sends, the API answers
with a 2xx or a 4xx that names the field, never a 500 (API Gateway would show a 502 for a crash)."""

from __future__ import annotations

import base64
import json
import string
import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from handlers.orders import app, validation
from handlers.orders.validation import InvalidInput
from tests.handlers.orders.conftest import GOOD_ORDER, call
from tests.handlers.telemetry.helpers import FakeLambdaContext, api_event

#: Every code point, unpaired surrogates included: Lambda's JSON event parser turns a "\ud800"
#: escape in the event into one, so a handler can receive any of them.
ANY_CHAR = st.characters(exclude_categories=())
ANY_TEXT = st.text(ANY_CHAR, max_size=40)
#: Digits of other scripts and superscripts: "²".isdigit() is True, but int("²") raises.
ODD_DIGITS = st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=4)
TRAILERS = st.sampled_from(["\n", "\r\n", "\r", " ", "\t", "\x00", "\u2028", "\x0b", "\x0c"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4),
    max_leaves=12,
)
HANDLER_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ALLOWED_STATUSES = {200, 201, 400, 404, 405, 409, 422}
ASCII_ALNUM = set(string.ascii_letters + string.digits)


def outcome(fn, *args):
    """What a validator did: its result, or the field it rejected. Any other exception escapes."""
    try:
        return "ok", fn(*args)
    except InvalidInput as error:
        assert error.field and error.field in str(error)
        return "rejected", error.field


def order_with(**fields):
    return {**{k: v for k, v in GOOD_ORDER.items() if k != "note"}, **fields}


def parsed(document):
    """The document as the handler's JSON parser hands it over (decimals as Decimal)."""
    return json.loads(json.dumps(document), parse_float=Decimal)


# ---------------------------------------------------------------- pure validators, the whole class


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_TEXT, ODD_DIGITS, st.from_regex(r"[0-9]{1,5}", fullmatch=True)))
@example("²")
@example("٣")
@example("10\n")
def test_limit_is_an_ascii_integer_from_1_to_100_or_a_400(raw):
    kind, value = outcome(validation.validate_page, {"limit": raw})
    wanted = raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= 100
    assert (kind == "ok") == wanted
    assert value.limit == int(raw) if wanted else value == "limit"


def identifier_rule(text: str) -> bool:
    """The documented rule, written independently of the regex: 1-64 of [A-Za-z0-9_.-], alnum first."""
    return 1 <= len(text) <= 64 and text[0] in ASCII_ALNUM and all(c in ASCII_ALNUM or c in "_.-" for c in text)


IDENTIFIER_TEXT = st.one_of(ANY_TEXT, st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,70}", fullmatch=True),
                            st.builds(lambda good, tail: good + tail, st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True), TRAILERS))


@settings(max_examples=300, deadline=None)
@given(IDENTIFIER_TEXT)
@example("c-1\n")
def test_customer_id_and_sku_follow_the_identifier_rule_exactly(text):
    kind, value = outcome(validation.validate_new_order, parsed(order_with(customer_id=text)))
    assert (kind == "ok") == identifier_rule(text), value
    item = {"sku": text, "quantity": 1, "unit_price": 1}
    kind, value = outcome(validation.validate_new_order, parsed(order_with(items=[item])))
    assert (kind == "ok") == identifier_rule(text), value
    if kind == "rejected":
        assert value == "items[0].sku"


def is_canonical_uuid4(text: str) -> bool:
    try:
        parsed = uuid.UUID(text)
    except (ValueError, TypeError):
        return False
    return str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122


ORDER_ID_TEXT = st.one_of(
    st.uuids(version=4).map(str),
    st.builds(lambda u, tail: str(u) + tail, st.uuids(version=4), TRAILERS),
    st.uuids().map(str),
    st.uuids(version=4).map(lambda u: str(u).upper()),
    ANY_TEXT,
)


@settings(max_examples=300, deadline=None)
@given(ORDER_ID_TEXT)
def test_order_id_is_exactly_a_lowercase_uuid4(text):
    kind, value = outcome(validation.validate_order_id, text)
    assert (kind == "ok") == is_canonical_uuid4(text)
    if kind == "rejected":
        assert value == "order_id"


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, st.from_regex(r"[A-Z]{2,4}", fullmatch=True),
                 st.builds(lambda code, tail: code + tail, st.from_regex(r"[A-Z]{3}", fullmatch=True), TRAILERS),
                 st.builds(lambda head, code: head + code, st.sampled_from(["X", " ", "\n"]), st.from_regex(r"[A-Z]{3}", fullmatch=True))))
@example("EURO")
@example("XEUR")
@example("EUR\n")
def test_currency_is_exactly_three_ascii_capitals(text):
    kind, value = outcome(validation.validate_new_order, parsed(order_with(currency=text)))
    assert (kind == "ok") == (len(text) == 3 and all(c in string.ascii_uppercase for c in text))
    if kind == "rejected":
        assert value == "currency"


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, st.text(max_size=10).map(lambda t: "key-" + t),
                 st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=250, max_size=260)))
@example("")
@example("k" * 255)
@example("k" * 256)
@example("abc\n")
def test_idempotency_key_is_1_to_255_printable_ascii_characters(key):
    kind, value = outcome(validation.idempotency_key, {"Idempotency-Key": key})
    wanted = 1 <= len(key) <= 255 and all(0x20 <= ord(c) <= 0x7E for c in key)
    assert (kind == "ok") == wanted
    assert value == (key if wanted else "Idempotency-Key")


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())))
@example("***")
@example("é===")
@example(base64.b64encode(b"\xff\xfe{").decode())
def test_any_base64_body_parses_or_names_the_body(body):
    kind, value = outcome(validation.parse_json_body, body, True)
    assert kind == "ok" or value == "body"


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, JSON_VALUES.map(json.dumps)))
@example("\ud800")
@example('{"note": "\ud800"}')
def test_any_text_body_parses_or_names_the_body(body):
    kind, value = outcome(validation.parse_json_body, body, False)
    assert kind == "ok" or value == "body"


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_json_document_is_an_order_or_a_named_rejection(document):
    kind, value = outcome(validation.validate_new_order, parsed(document))
    assert kind == "ok" or isinstance(value, str)
    if kind == "rejected":
        value.encode("utf-8")  # the field name can be echoed back and logged


# ---------------------------------------------------------------- through the handler, against moto


@HANDLER_SETTINGS
@given(st.one_of(ANY_TEXT, ODD_DIGITS))
@example("²")
def test_any_limit_is_a_200_or_a_400_naming_limit(table, raw):
    status, payload, _ = call("GET", "/orders", query={"limit": raw})
    assert status in (200, 400), payload
    if status == 400:
        assert payload["field"] == "limit"


@HANDLER_SETTINGS
@given(st.one_of(st.binary(max_size=200), st.just(json.dumps(GOOD_ORDER).encode())), st.booleans())
@example(b"\xff\xfe", True)
@example(raw=b'{"":"","":0}', valid_base64=True)
def test_any_base64_body_is_a_201_or_a_400_naming_the_body(table, raw, valid_base64):
    body = base64.b64encode(raw).decode() if valid_base64 else raw.decode("latin-1") + "!"
    event = api_event("POST", "/orders", body)
    event["isBase64Encoded"] = True
    response = app.handler(event, FakeLambdaContext())
    payload = json.loads(response["body"])
    assert response["statusCode"] in (201, 400), payload
    if response["statusCode"] == 400:
        known = payload["field"] in ("body", "customer_id", "items") or \
            payload["field"].startswith(("items", "note", "currency"))
        # A JSON object with a field the API does not take is refused naming that field, shown
        # printable (the empty name as "").
        assert known or payload["message"].endswith("is not a known field"), payload


@HANDLER_SETTINGS
@given(ANY_TEXT)
@example("\ud800")
@example("caf\udce9")
def test_any_note_is_stored_or_a_400_naming_the_note(table, note):
    status, payload, _ = call("POST", "/orders", json.dumps(order_with(note=note)))
    if status == 201:
        assert payload["note"] == note
    else:
        assert (status, payload["field"]) == (400, "note"), payload


@HANDLER_SETTINGS
@given(ANY_TEXT)
@example("\ud800")
def test_any_raw_body_text_is_a_201_or_a_named_400(table, body):
    status, payload, _ = call("POST", "/orders", body if body else "x")
    assert status in (201, 400), payload
    assert status == 201 or payload["field"]


EVENT_FIELDS = ("httpMethod", "path", "queryStringParameters", "pathParameters", "headers",
                "multiValueHeaders", "body", "isBase64Encoded")


@HANDLER_SETTINGS
@given(st.fixed_dictionaries({}, optional={
    "httpMethod": st.one_of(st.sampled_from(["GET", "POST", "DELETE"]), JSON_VALUES),
    "path": st.one_of(st.sampled_from(["/orders", f"/orders/{uuid.uuid4()}", "/x"]), JSON_VALUES),
    "queryStringParameters": st.one_of(st.fixed_dictionaries({}, optional={"limit": JSON_VALUES, "next_token": JSON_VALUES}), JSON_VALUES),
    "pathParameters": st.one_of(st.fixed_dictionaries({}, optional={"order_id": JSON_VALUES}), JSON_VALUES),
    "headers": st.one_of(st.fixed_dictionaries({}, optional={"Idempotency-Key": JSON_VALUES}), JSON_VALUES),
    "multiValueHeaders": JSON_VALUES,
    "body": st.one_of(st.just(json.dumps(GOOD_ORDER)), JSON_VALUES),
    "isBase64Encoded": JSON_VALUES,
}))
@example({"httpMethod": 5, "path": "/orders"})
@example({"httpMethod": "GET", "path": ["orders"]})
@example({"httpMethod": "GET", "path": "/orders", "queryStringParameters": 5})
@example({"httpMethod": "GET", "path": "/orders", "queryStringParameters": {"next_token": 5}})
@example({"httpMethod": "POST", "path": "/orders", "body": json.dumps(GOOD_ORDER), "headers": {"Idempotency-Key": ["a"]}})
def test_any_event_shape_gets_a_json_answer_and_never_a_500(table, fields):
    event = {**api_event("GET", "/orders"), **fields}
    for name in EVENT_FIELDS:
        if name not in fields:
            event.pop(name, None)
    response = app.handler(event, FakeLambdaContext())
    assert response["statusCode"] in ALLOWED_STATUSES, response
    payload = json.loads(response["body"])
    if response["statusCode"] == 400:
        assert payload.get("field") or payload["error"] == "bad_request"


@pytest.mark.parametrize("field,value", [("httpMethod", 5), ("path", 5), ("path", ["orders"]), ("httpMethod", {"m": 1})])
def test_a_non_string_method_or_path_is_a_400_naming_it(table, field, value):
    event = api_event("GET", "/orders")
    event[field] = value
    response = app.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 400 and json.loads(response["body"])["field"] == field
