"""AWS SDK calls become X-Ray subsegments under the function's segment, without the X-Ray SDK."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from handlers.telemetry import instrument, xray_patch
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext

ROOT = Path(__file__).resolve().parents[3]
ROOT_ID = "1-5759e988-bd862e3fe1be46a994272793"
FUNCTION_SEGMENT = "53995c3f42cd8ad8"
HEADER = f"Root={ROOT_ID};Parent={FUNCTION_SEGMENT};Sampled=1;Lineage=a87bd80c:0"


class Daemon:
    """A UDP socket standing in for the X-Ray daemon."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.address = "127.0.0.1:%d" % self.socket.getsockname()[1]

    def documents(self) -> list[dict]:
        found = []
        while True:
            try:
                datagram = self.socket.recv(65536)
            except socket.timeout:
                return found
            header, _, body = datagram.partition(b"\n")
            assert json.loads(header) == {"format": "json", "version": 1}
            found.append(json.loads(body))


@pytest.fixture
def daemon(monkeypatch):
    listening = Daemon()
    monkeypatch.setenv("AWS_XRAY_DAEMON_ADDRESS", listening.address)
    monkeypatch.setattr(xray_patch, "emitter", xray_patch.SubsegmentEmitter())
    yield listening
    listening.socket.close()


@pytest.fixture
def in_lambda(monkeypatch, aws):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "platform-test-orders-api")
    monkeypatch.setenv("TELEMETRY_GC_FREEZE", "off")
    monkeypatch.setenv("TELEMETRY_STDLIB_LOGGING", "off")
    yield
    xray_patch.unpatch_botocore()


@pytest.fixture
def table(aws):
    client = boto3.client("dynamodb", region_name=REGION)
    client.create_table(TableName="orders", KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    client.put_item(TableName="orders", Item={"order_id": {"S": "o-1"}})
    return client


def capture_trace_headers(client) -> list[str | None]:
    """The X-Amzn-Trace-Id of each request the client sends (prepared headers are bytes)."""
    sent: list[str | None] = []

    def capture(request, **_):
        header = request.headers.get("X-Amzn-Trace-Id")
        sent.append(header.decode() if isinstance(header, bytes) else header)

    client.meta.events.register_first("before-send.*", capture)
    return sent


def test_each_call_is_a_subsegment_of_the_function_segment_and_carries_its_id_downstream(in_lambda, daemon, table, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADER)
    client = boto3.client("dynamodb", region_name=REGION)  # created before the patch, as module-level clients are
    sent = capture_trace_headers(client)

    @instrument(service="orders")
    def handler(event, context):
        client.get_item(TableName="orders", Key={"order_id": {"S": "o-1"}})
        with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
            client.get_item(TableName="missing", Key={"order_id": {"S": "o-1"}})
        return raised.value

    error = handler({}, FakeLambdaContext())
    found, failed = daemon.documents()
    for document in (found, failed):
        assert (document["type"], document["trace_id"], document["parent_id"]) == ("subsegment", ROOT_ID, FUNCTION_SEGMENT)
        assert (document["name"], document["namespace"], document["aws"]["operation"], document["aws"]["region"]) == ("DynamoDB", "aws", "GetItem", REGION)
        assert document["start_time"] <= document["end_time"] and len(document["id"]) == 16
    assert found["aws"]["table_name"] == "orders" and found["http"] == {"response": {"status": 200}} and "error" not in found
    assert found["aws"]["request_id"] and found["aws"]["retries"] == 0
    assert failed["aws"]["table_name"] == "missing" and failed["error"] is True and failed["http"]["response"]["status"] == 400
    (cause,) = failed["cause"]["exceptions"]
    assert cause["type"] == "ResourceNotFoundException" and cause["remote"] is True and str(error) in cause["message"]
    assert sent == [f"Root={ROOT_ID};Parent={found['id']};Sampled=1;Lineage=a87bd80c:0",
                    f"Root={ROOT_ID};Parent={failed['id']};Sampled=1;Lineage=a87bd80c:0"]


def test_unsampled_invocations_and_module_init_send_nothing(in_lambda, daemon, table, monkeypatch):
    client = boto3.client("dynamodb", region_name=REGION)
    sent = capture_trace_headers(client)
    instrument(service="orders")(lambda event, context: None)
    client.get_item(TableName="orders", Key={"order_id": {"S": "o-1"}})  # module init: no header yet
    unsampled = HEADER.replace("Sampled=1", "Sampled=0")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", unsampled)
    client.get_item(TableName="orders", Key={"order_id": {"S": "o-1"}})
    assert xray_patch.is_patched() and daemon.documents() == []
    assert sent == [None, unsampled]  # botocore's own header from the environment, left alone


def test_a_failure_of_ours_never_reaches_the_business_call(in_lambda, table, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADER)

    class Broken:
        def send(self, payload: bytes) -> None:
            raise RuntimeError("daemon gone")

    monkeypatch.setattr(xray_patch, "emitter", Broken())
    instrument(service="orders")(lambda event, context: None)
    item = boto3.client("dynamodb", region_name=REGION).get_item(TableName="orders", Key={"order_id": {"S": "o-1"}})["Item"]
    assert item == {"order_id": {"S": "o-1"}}


def test_threads_each_get_their_own_subsegment_and_header(in_lambda, daemon, table, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", HEADER)
    instrument(service="orders")(lambda event, context: None)
    clients = [boto3.client("dynamodb", region_name=REGION) for _ in range(6)]
    sent = [capture_trace_headers(client) for client in clients]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda client: client.get_item(TableName="orders", Key={"order_id": {"S": "o-1"}}), clients))
    ids = {document["id"] for document in daemon.documents()}
    parents = {header.split(";")[1].removeprefix("Parent=") for headers in sent for header in headers}
    assert len(ids) == 6 and parents == ids


def test_outside_lambda_or_switched_off_nothing_is_patched(monkeypatch):
    assert xray_patch.enable() == "skipped"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "f")
    monkeypatch.setenv("TELEMETRY_XRAY_PATCH", "off")
    assert xray_patch.enable() == "skipped" and not xray_patch.is_patched()


LAMBDA_SCRIPT = r"""
import json, os, sys
os.environ.update({"AWS_LAMBDA_FUNCTION_NAME": "f", "TELEMETRY_EXPORTER": "none", "TELEMETRY_GC_FREEZE": "off",
                   "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"})
from handlers.telemetry import instrument, xray_patch
@instrument(service="s")
def handler(event, context):
    import boto3  # imported inside the handler: patched from the next invocation on
    return xray_patch.is_patched()
decorated = (xray_patch.enable(), "botocore" in sys.modules)
first = handler({}, None)
second = handler({}, None)
print(json.dumps({"decorated": decorated, "first": first, "second": second,
                  "xray_sdk": any(name.startswith("aws_xray_sdk") for name in sys.modules)}))
"""


def test_botocore_is_never_imported_for_the_patch_and_the_x_ray_sdk_never_at_all():
    result = subprocess.run([sys.executable, "-c", LAMBDA_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"decorated": ["deferred", False], "first": False, "second": True, "xray_sdk": False}
