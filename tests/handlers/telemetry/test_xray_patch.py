"""X-Ray SDK use: botocore only, silent outside Lambda, deferred to the first AWS call inside."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import boto3

from handlers.telemetry import instrument, xray_patch
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext

ROOT = Path(__file__).resolve().parents[3]


def test_outside_lambda_nothing_is_patched_and_nothing_is_said(aws, capsys, caplog):
    caplog.set_level(logging.DEBUG)

    @instrument(service="orders")
    def handler(event, context):
        boto3.client("sqs", region_name=REGION).create_queue(QueueName="silent")

    handler({}, FakeLambdaContext())
    assert xray_patch.enable() == "skipped"
    assert not xray_patch.is_patched()
    captured = capsys.readouterr()
    assert "context" not in captured.err.lower()
    assert not [record for record in caplog.records if record.name.startswith("aws_xray_sdk")]
    assert "aws_xray_sdk.core" not in sys.modules or not xray_patch.is_patched()


LAMBDA_SCRIPT = r"""
import json, os, sys, io, logging
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
os.environ.update({"AWS_LAMBDA_FUNCTION_NAME": "f", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x",
                   "AWS_SECRET_ACCESS_KEY": "x", "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "TELEMETRY_EXPORTER": "none",
                   "TELEMETRY_XRAY_PATCH": sys.argv[1]})
import moto
import boto3
from handlers.telemetry import instrument, xray_patch
with moto.mock_aws():
    client = boto3.client("sqs")
    @instrument(service="s")
    def handler(event, context):
        return client.list_queues().get("QueueUrls", [])
    before = ("aws_xray_sdk.core" in sys.modules, xray_patch.is_patched())
    handler({}, None)  # no _X_AMZN_TRACE_ID, as in the init phase: must not complain
    os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    handler({}, None)  # inside an invocation: a subsegment goes to the (absent) daemon over UDP
    from botocore.client import BaseClient
    print(json.dumps({"before": before, "after": xray_patch.is_patched(),
                      "wrapped": type(BaseClient._make_api_call).__name__}))
"""


def run_lambda_like(mode: str) -> tuple[dict, str]:
    result = subprocess.run([sys.executable, "-c", LAMBDA_SCRIPT, mode], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_in_lambda_botocore_is_patched_on_the_first_aws_call_and_stays_silent():
    report, stderr = run_lambda_like("lazy")
    assert report["before"] == [False, False]  # nothing imported at init
    assert report["after"] is True
    assert report["wrapped"].endswith("FunctionWrapper")  # wrapt wrapper installed by the X-Ray SDK
    xray_lines = [line for line in stderr.splitlines() if "aws_xray_sdk" in line and "successfully patched" not in line]
    assert xray_lines == []
    assert "segment" not in stderr.lower().replace("subsegment", "").replace("segment.py", "")


def test_eager_mode_patches_at_decoration_time():
    report, _ = run_lambda_like("eager")
    assert report["before"] == [True, True]


def test_off_mode_never_patches():
    report, _ = run_lambda_like("off")
    assert report["before"] == [False, False] and report["after"] is False
