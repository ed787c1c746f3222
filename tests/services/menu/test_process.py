"""The menu app as its container runs it: a gunicorn process on 127.0.0.1, called over HTTP, against moto."""
from __future__ import annotations

import os

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.services.menu.harness import REGION, TABLE, FakeCollector, running_menu

ITEMS = [
    {"item_id": "espresso", "name": "Espresso", "category": "coffee", "price": "2.40", "currency": "EUR",
     "available": True},
    {"item_id": "flat-white", "name": "Flat white", "category": "coffee", "price": "3.20", "currency": "EUR",
     "available": True},
    {"item_id": "croissant", "name": "Croissant", "category": "pastry", "price": "1.90", "currency": "EUR",
     "available": False},
]
TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"


@pytest.fixture(scope="module")
def aws_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing",
                            aws_secret_access_key="testing")
    dynamodb.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "item_id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "item_id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    for item in ITEMS:
        dynamodb.put_item(TableName=TABLE, Item={
            key: ({"BOOL": value} if isinstance(value, bool) else {"N": value} if key == "price" else {"S": value})
            for key, value in item.items()})
    yield endpoint
    server.stop()


@pytest.fixture(scope="module")
def collector():
    with FakeCollector() as fake:
        yield fake


@pytest.fixture(scope="module")
def menu(aws_endpoint, collector):
    yield from running_menu(aws_endpoint, collector.url + "/")


def test_lists_and_gets_menu_items_from_its_table(menu):
    status, body, _ = menu.get("/menu")
    assert status == 200
    assert sorted(item["item_id"] for item in body["items"]) == ["croissant", "espresso", "flat-white"]
    assert {item["price"] for item in body["items"]} == {"2.40", "3.20", "1.90"}  # exact decimals as strings
    status, body, _ = menu.get("/menu?category=pastry")
    assert status == 200 and [item["item_id"] for item in body["items"]] == ["croissant"]
    status, body, _ = menu.get("/menu/espresso")
    assert (status, body["name"], body["available"]) == (200, "Espresso", True)


def test_pages_follow_next_token(menu):
    seen, token = [], None
    for _ in range(5):
        status, body, _ = menu.get("/menu?limit=1" + (f"&next_token={token}" if token else ""))
        assert status == 200
        seen += [item["item_id"] for item in body["items"]]
        token = body.get("next_token")
        if token is None:
            break
    assert sorted(seen) == ["croissant", "espresso", "flat-white"]


def test_json_logs_carry_the_trace_id_of_the_incoming_xray_header(menu, collector):
    header = f"Root={TRACE_ROOT};Parent={PARENT};Sampled=1"
    status, _, response_headers = menu.get("/menu/flat-white", {"X-Amzn-Trace-Id": header})
    assert status == 200
    trace_hex = TRACE_ROOT[2:].replace("-", "")
    line = menu.wait_for_line(lambda l: l.get("path") == "/menu/flat-white" and l.get("message") == "request")
    assert line["trace_id"] == trace_hex and line["xray_trace_id"] == TRACE_ROOT
    assert line["service"] == "menu" and line["environment"] == "test" and line["status"] == 200
    assert line["span_id"] and line["request_id"]
    assert f"Root={TRACE_ROOT}" in response_headers["X-Amzn-Trace-Id"]
    # The server span continues the caller's segment, and the DynamoDB call is its child.
    server = collector.wait_for(lambda s: s["trace_id"] == trace_hex and s["name"] == "GET /menu/<path:raw_id>")[0]
    assert server["parent_id"] == PARENT and server["span_id"] == line["span_id"]
    assert server["service"] == "platform-test-menu-app"
    client = collector.wait_for(lambda s: s["trace_id"] == trace_hex and s["name"] == "dynamodb.GetItem")[0]
    assert client["parent_id"] == server["span_id"]


def test_a_load_balancer_root_without_parent_keeps_its_trace_id(menu):
    root = "1-6a2b3c4d-0123456789abcdef01234567"
    status, _, _ = menu.get("/menu/espresso", {"X-Amzn-Trace-Id": f"Root={root}"})
    assert status == 200
    line = menu.wait_for_line(lambda l: l.get("path") == "/menu/espresso" and l.get("xray_trace_id") == root)
    assert line["trace_id"] == root[2:].replace("-", "")


@pytest.mark.parametrize("path,field", [
    ("/menu?limit=0", "limit"), ("/menu?limit=abc", "limit"), ("/menu?limit=1&limit=2", "limit"),
    ("/menu?category=Coffee!", "category"), ("/menu?next_token=%%%", "next_token"),
    ("/menu?next_token=eyJ4IjoxfQ", "next_token"), ("/menu?colour=red", "colour"),
    ("/menu/no%20spaces", "item_id"), ("/menu/espresso?x=1", "x"), ("/menu/missing", "item_id"),
])
def test_a_bad_request_gets_a_4xx_naming_the_field(menu, path, field):
    status, body, _ = menu.get(path)
    assert 400 <= status < 500
    assert body["field"] == field and body["error"]
    line = menu.wait_for_line(lambda l: l.get("message") == "request" and l.get("status") == status
                              and l.get("path", "").startswith(path.split("?")[0].replace("%20", " ")))
    assert line["level"] == "INFO"


@pytest.mark.parametrize("method,path,expected", [("POST", "/menu", 405), ("DELETE", "/menu/espresso", 405),
                                                  ("GET", "/nowhere", 404)])
def test_unknown_routes_and_methods_are_json_4xx(menu, method, path, expected):
    status, body = menu.request(method, path)
    assert status == expected and body["error"]


def test_every_line_the_process_wrote_is_json(menu):
    menu.get("/health")
    assert all(isinstance(line, dict) and "level" in line for line in menu.lines())
    assert os.environ.get("AWS_ENDPOINT_URL") is None  # the test process itself is not pointed at moto
