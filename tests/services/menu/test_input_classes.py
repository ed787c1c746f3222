"""Whole classes of malformed requests get a 4xx naming the field, never a 5xx (in-process, against moto)."""
from __future__ import annotations

import logging
import string
from urllib.parse import quote

import boto3
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from moto import mock_aws

from cafe_menu import catalogue
from cafe_menu.app import create_app
from cafe_menu.validation import BadRequest, decode_token, encode_token, item_id, list_query

TABLE = "platform-test-menu-table"


@pytest.fixture(scope="module")
def client():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        for name, value in {"MENU_TABLE": TABLE, "TELEMETRY_EXPORTER": "none", "AWS_DEFAULT_REGION": "us-east-1"}.items():
            patch.setenv(name, value)
        boto3.client("dynamodb").create_table(
            TableName=TABLE, KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        catalogue.client.cache_clear()
        try:
            yield create_app().test_client()
        finally:
            catalogue.client.cache_clear()
            root.handlers[:], root.level = handlers, level


text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["limit", "category", "next_token", "colour", ""]), st.lists(text, max_size=3),
                       max_size=4))
def test_any_list_query_is_answered_without_a_server_error(client, params):
    query = "&".join(f"{quote(k)}={quote(v)}" for k, values in params.items() for v in values)
    response = client.get(f"/menu?{query}")
    assert response.status_code in (200, 400), (query, response.get_json())
    if response.status_code == 400:
        assert response.get_json()["field"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text.filter(lambda t: t not in ("", ".", "..")))
def test_any_item_path_is_answered_without_a_server_error(client, raw):
    response = client.get("/menu/" + quote(raw, safe=""))
    assert response.status_code in (200, 400, 404), (raw, response.get_json())
    assert response.get_json()["error" if response.status_code >= 400 else "item_id"]


@given(st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=64))
def test_next_token_round_trips_every_item_id(value):
    assert decode_token(encode_token(value)) == value


@given(st.text(max_size=600))
def test_a_token_is_either_one_the_app_made_or_a_bad_request(token):
    try:
        assert item_id(decode_token(token))
    except BadRequest as error:
        assert error.field == "next_token"


def test_limit_bounds_and_defaults():
    assert list_query({}).limit == 50
    assert list_query({"limit": ["100"]}).limit == 100
    for bad in ("0", "101", "-1", "1.5", "", "9" * 20):
        with pytest.raises(BadRequest, match="limit"):
            list_query({"limit": [bad]})
