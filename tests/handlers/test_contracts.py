"""The ingest APIs' JSON schemas and the consumers' parsers accept exactly the same bodies.

API Gateway validates with the schema; the worker parses with its own rules. A body the schema lets
through but the parser refuses would be dead-lettered instead of rejected with a 400, and the
reverse would refuse good data at the door, so the two are compared over generated bodies.
"""
import json

from hypothesis import given, settings, strategies as st
from jsonschema import Draft4Validator

from handlers.clickstream.click import MalformedClick, parse_click
from handlers.contracts import CLICK_SCHEMA, PAYMENT_WEBHOOK_SCHEMA
from handlers.payment_webhook.event import MalformedEvent, parse_event

tricky = st.sampled_from(["", "a", "A-1", "a\n", "é", "a b", "/", "/menu", "/x y", "/x\x7f", "page_view", "x" * 129,
                          "/" + "p" * 511, "/" + "p" * 512, "succeeded", "Failed", "_a", "a:b.c_d-e", "\u2028"])
values = st.one_of(tricky, st.text(max_size=20), st.integers(), st.none(), st.booleans())


def agree(schema: dict, parse, errors, body: dict) -> None:  # type: ignore[no-untyped-def]
    valid = Draft4Validator(schema).is_valid(body)
    try:
        parse(json.dumps(body).encode())
        parsed = True
    except errors:
        parsed = False
    assert valid == parsed, (body, valid, parsed)


def bodies(valid: dict) -> st.SearchStrategy[dict]:
    """A valid body with any one field replaced, removed or left alone, plus an optional extra field:
    a disagreement on one field is not hidden by another field failing both."""
    def vary(choice: tuple[str, object, bool]) -> dict:
        field, value, remove = choice
        body = dict(valid)
        if remove:
            body.pop(field, None)
        else:
            body[field] = value
        return body
    return st.tuples(st.sampled_from([*valid, "extra"]), values, st.booleans()).map(vary)


@settings(max_examples=400)
@given(bodies({"session_id": "s-1", "page": "/menu", "event": "page_view"}))
def test_click_schema_and_parser_agree(body):
    agree(CLICK_SCHEMA, parse_click, MalformedClick, body)


@settings(max_examples=400)
@given(bodies({"event_id": "e-1", "payment_id": "p-1", "order_id": "o-1", "status": "succeeded"}))
def test_payment_schema_and_parser_agree(body):
    agree(PAYMENT_WEBHOOK_SCHEMA, parse_event, MalformedEvent, body)


def test_both_schemas_are_valid_draft_4():
    Draft4Validator.check_schema(CLICK_SCHEMA)
    Draft4Validator.check_schema(PAYMENT_WEBHOOK_SCHEMA)
