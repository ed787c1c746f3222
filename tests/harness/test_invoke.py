"""The harness's invoke path: real handlers behind the Lambda API, as Lambda would run them."""

from __future__ import annotations

import base64
import json
import os
import time
from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from tests.handlers.telemetry.helpers import REGION
from tests.harness.aws_resources import bodies, make_queue, topic_with_inbox
from tests.harness.runtime import marshal, new_trace_header

ECHO = "tests.harness.sample_handlers.echo"


def test_boto3_invoke_runs_the_handler_with_event_context_and_function_environment(lambda_harness, monkeypatch):
    monkeypatch.setenv("LEAK_CHECK", "from the test process")
    before = dict(os.environ)
    arn = lambda_harness.deploy("platform-test-echo", ECHO, service="echo", environment={"COLOUR": "blue"}, timeout_seconds=7, memory_mb=512)

    answer = boto3.client("lambda", region_name=REGION).invoke(FunctionName="platform-test-echo", Payload=b'{"a": [1, 2]}')

    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    seen = json.loads(answer["Payload"].read())
    assert seen["event"] == {"a": [1, 2]}
    assert seen["env"]["COLOUR"] == "blue" and seen["env"]["SERVICE_NAME"] == "echo"
    assert seen["env"]["_HANDLER"] == ECHO and seen["env"]["AWS_LAMBDA_FUNCTION_NAME"] == "platform-test-echo"
    assert seen["env"]["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512" and seen["env"]["AWS_REGION"] == REGION
    assert seen["env"]["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/platform-test-echo"
    assert seen["env"]["TELEMETRY_XRAY_PATCH"] == "off"
    assert seen["env"]["LEAK_CHECK"] is None  # nothing of the test process leaks into the function
    assert seen["env"]["_X_AMZN_TRACE_ID"].endswith(";Sampled=1")  # active tracing
    context = seen["context"]
    assert context["function_name"] == "platform-test-echo" and context["invoked_function_arn"] == arn
    assert context["memory_limit_in_mb"] == "512"  # a string, as the Python runtime has it
    assert 6000 < context["remaining_ms"] <= 7000
    assert context["log_stream_name"].startswith(time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()))
    assert dict(os.environ) == before  # restored exactly
    (invocation,) = lambda_harness.invocations
    assert invocation.outcome.request_id == context["aws_request_id"] and not invocation.failed


def test_each_invocation_has_its_own_request_id_and_trace(lambda_harness):
    lambda_harness.deploy("platform-test-echo", ECHO)
    first, second = (lambda_harness.invoke("platform-test-echo", {}).outcome.json() for _ in range(2))
    assert first["context"]["aws_request_id"] != second["context"]["aws_request_id"]
    assert first["env"]["_X_AMZN_TRACE_ID"].split(";")[0] != second["env"]["_X_AMZN_TRACE_ID"].split(";")[0]


def test_client_context_reaches_the_handler(lambda_harness):
    lambda_harness.deploy("platform-test-echo", ECHO)
    header = base64.b64encode(json.dumps({"custom": {"caller": "report"}}).encode()).decode()
    invocation = lambda_harness.invoke("platform-test-echo", {}, client_context=header)
    assert invocation.outcome.json()["context"]["client_custom"] == {"caller": "report"}


def test_an_exception_is_reported_as_lambda_reports_it(lambda_harness):
    lambda_harness.deploy("platform-test-fail", "tests.harness.sample_handlers.fail")
    answer = boto3.client("lambda", region_name=REGION).invoke(FunctionName="platform-test-fail", Payload=b'{"x": 1}')
    assert answer["FunctionError"] == "Unhandled"
    error = json.loads(answer["Payload"].read())
    assert error["errorType"] == "ValueError" and error["errorMessage"] == "cannot handle {'x': 1}"
    assert "sample_handlers.py" in error["stackTrace"][0]  # the stack starts in the handler


def test_a_result_that_cannot_be_marshalled_is_a_function_error(lambda_harness):
    lambda_harness.deploy("platform-test-bad-result", "tests.harness.sample_handlers.unmarshallable")
    invocation = lambda_harness.invoke("platform-test-bad-result", {})
    assert invocation.failed and invocation.outcome.json()["errorType"] == "Runtime.MarshalError"


def test_a_payload_that_is_not_json_is_refused_before_any_handler_runs(lambda_harness):
    lambda_harness.deploy("platform-test-echo", ECHO)
    with pytest.raises(ClientError) as refused:
        boto3.client("lambda", region_name=REGION).invoke(FunctionName="platform-test-echo", Payload=b"{not json")
    assert refused.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert lambda_harness.invocations == []


def test_an_unknown_function_is_the_api_error(lambda_harness):
    with pytest.raises(ClientError) as missing:
        lambda_harness.invoke("platform-test-nobody", {})
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_handler_can_invoke_another_function_synchronously(lambda_harness):
    lambda_harness.deploy("platform-test-echo", ECHO, environment={"COLOUR": "blue"})
    lambda_harness.deploy("platform-test-caller", "tests.harness.sample_handlers.call_other", environment={"COLOUR": "red"})

    answer = lambda_harness.invoke("platform-test-caller", {"target": "platform-test-echo", "payload": {"day": "2026-01-01"}}).outcome.json()

    assert answer["error"] is None and answer["answer"]["event"] == {"day": "2026-01-01"}
    assert answer["answer"]["env"]["COLOUR"] == "blue"  # the callee ran with its own environment...
    assert answer["own_colour_after"] == "red"  # ...and the caller's came back afterwards
    assert [invocation.function_name for invocation in lambda_harness.invocations] == ["platform-test-echo", "platform-test-caller"]


def test_an_overrun_is_reported_as_a_timeout(lambda_harness):
    lambda_harness.deploy("platform-test-echo", ECHO, timeout_seconds=3)
    ticks = iter([1000.0, 1000.0, 1003.5])  # log stream, start, end: 3.5 s for a 3 s timeout
    lambda_harness.runtime.clock = lambda: next(ticks)
    invocation = lambda_harness.invoke("platform-test-echo", {})
    assert invocation.failed and invocation.outcome.json()["errorType"] == "Sandbox.Timedout"
    assert invocation.outcome.json()["errorMessage"] == "Task timed out after 3.00 seconds"


def test_asynchronous_invocations_wait_for_run_async_and_retry_into_the_failure_destination(lambda_harness):
    failures = make_queue("platform-test-async-failures")
    arn = lambda_harness.deploy("platform-test-fail", "tests.harness.sample_handlers.fail")
    lambda_harness.lambda_client.put_function_event_invoke_config(
        FunctionName="platform-test-fail", MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": failures.arn}})

    answer = lambda_harness.lambda_client.invoke(FunctionName="platform-test-fail", InvocationType="Event", Payload=b'{"n": 1}')
    assert answer["StatusCode"] == 202 and lambda_harness.invocations == []

    ran = lambda_harness.run_async()

    assert len(ran) == 2 and all(invocation.failed for invocation in ran)  # first attempt + one retry
    (body,) = bodies(failures.url)
    record = json.loads(body)
    assert record["requestContext"]["condition"] == "RetriesExhausted" and record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestContext"]["functionArn"] == f"{arn}:$LATEST"
    assert record["requestPayload"] == {"n": 1} and record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "ValueError"


def test_a_successful_asynchronous_invocation_runs_once_and_reaches_the_success_destination(lambda_harness):
    topic, inbox = topic_with_inbox("platform-test-async-done", raw=True)
    lambda_harness.deploy("platform-test-echo", ECHO)
    lambda_harness.lambda_client.put_function_event_invoke_config(
        FunctionName="platform-test-echo", DestinationConfig={"OnSuccess": {"Destination": topic}})

    lambda_harness.invoke("platform-test-echo", {"k": "v"}, invocation_type="Event")
    (ran,) = lambda_harness.run_async()

    assert not ran.failed and ran.invocation_type == "Event"
    (body,) = bodies(inbox.url)
    record = json.loads(body)
    assert record["requestContext"]["condition"] == "Success" and record["responsePayload"]["event"] == {"k": "v"}


def _finished(sfn, execution_arn: str) -> dict:
    for _ in range(200):
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.02)
    raise AssertionError("execution did not finish")


def test_step_functions_task_states_run_the_real_handlers(workflow_harness):
    arn = workflow_harness.deploy("platform-test-task", "tests.harness.sample_handlers.task")
    definition = {
        "StartAt": "ByArn",
        "States": {
            "ByArn": {"Type": "Task", "Resource": arn, "Next": "ByIntegration"},
            "ByIntegration": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": arn, "Payload.$": "$"}, "OutputPath": "$.Payload",
                "Catch": [{"ErrorEquals": ["ValueError"], "Next": "Refused"}], "End": True,
            },
            "Refused": {"Type": "Fail", "Error": "Refused"},
        },
    }
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(name="platform-test-flow", roleArn=workflow_harness.role_arn(), definition=json.dumps(definition))

    done = _finished(sfn, sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="ok", input='{"n": 1}')["executionArn"])
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"n": 3, "function": "platform-test-task"}
    assert len(workflow_harness.invocations_of("platform-test-task")) == 2

    refused = _finished(sfn, sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="bad", input='{"n": -5}')["executionArn"])
    assert refused["status"] == "FAILED"  # the handler's ValueError reached the interpreter as the Lambda error


def test_trace_header_continues_an_incoming_root_with_a_new_parent():
    incoming = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:1"
    header = new_trace_header(incoming, "Active")
    fields = dict(part.split("=", 1) for part in header.split(";"))
    assert fields["Root"] == "1-5759e988-bd862e3fe1be46a994272793" and fields["Parent"] != "53995c3f42cd8ad8"
    assert fields["Sampled"] == "1" and fields["Lineage"] == "a87bd80c:1"


@pytest.mark.parametrize("mode, sampled", [("Active", "1"), ("PassThrough", "0")])
def test_trace_header_without_an_incoming_one_follows_the_tracing_mode(mode, sampled):
    assert new_trace_header(None, mode).endswith(f";Sampled={sampled}")
    assert new_trace_header("Root=garbage", mode).endswith(f";Sampled={sampled}")


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimals_are_marshalled_as_their_exact_number(value):
    """The runtime writes a Decimal's own digits; a float detour would change them."""
    assert json.loads(marshal({"total": value}, "python3.12"), parse_float=Decimal, parse_int=Decimal) == {"total": value}


@given(st.text())
def test_strings_survive_marshalling(text):
    assert json.loads(marshal({"text": text, "list": [text]}, "python3.12")) == {"text": text, "list": [text]}


def test_bytes_are_returned_as_they_are():
    assert marshal(b"\x00raw", "python3.12") == b"\x00raw"
