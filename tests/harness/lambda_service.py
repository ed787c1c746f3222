"""The Lambda service's invoke path, hooked into moto so every caller reaches the real handler.

Functions are moto's own (CreateFunction, GetFunctionConfiguration, event invoke configs...);
only the step where moto would start a Docker container is replaced. moto routes every Invoke
to `LambdaFunction.invoke`: boto3 calls from handler code and tests, the Step Functions
interpreter's Task states (it builds its own boto3 client), SNS and EventBridge deliveries.
Patching that one method therefore hooks all of them at once.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import deque
from dataclasses import dataclass
from typing import Any, Mapping
from unittest import mock

import boto3
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction

from tests.harness.event_records import async_destination_record
from tests.harness.runtime import FunctionConfig, InvalidRequestContent, Outcome, Runtime

HARNESS_ROLE = "harness-lambda-execution"
DEFAULT_ASYNC_RETRIES = 2  # Lambda's default MaximumRetryAttempts for asynchronous invocation


@dataclass(frozen=True)
class Invocation:
    """One invocation as the harness ran it, kept in `LambdaHarness.invocations` for assertions."""

    function_name: str
    invocation_type: str  # RequestResponse or Event
    event: Any
    outcome: Outcome

    @property
    def failed(self) -> bool:
        return self.outcome.function_error is not None


@dataclass
class AsyncEvent:
    config: FunctionConfig
    body: str
    headers: dict[str, str]
    attempts: int = 0


class InvalidDestination(ValueError):
    """A destination ARN the harness cannot deliver to (only SQS queues and SNS topics exist here)."""


def telemetry_environment(service: str, stack: str = "test") -> dict[str, str]:
    """What `ObservedFunction` gives every function (docs/conventions.md), for a test stack."""
    return {
        "SERVICE_NAME": service,
        "ENVIRONMENT": stack,
        "METRICS_NAMESPACE": f"platform/{stack}",
        "TELEMETRY_EXPORTER": "log",
        "LOG_LEVEL": "INFO",
    }


def placeholder_code() -> bytes:
    """CreateFunction needs a zip; the harness runs the Handler from this checkout instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Code runs in-process from the repository checkout (tests/harness).\n")
    return buffer.getvalue()


def deliver(region: str, destination_arn: str, document: Mapping[str, Any]) -> None:
    """Send a JSON document to an SQS queue or SNS topic, as Lambda delivers destination records."""
    parts = destination_arn.split(":")
    service = parts[2] if len(parts) > 5 else ""
    body = json.dumps(document)
    if service == "sqs":
        sqs = boto3.client("sqs", region_name=region)
        url = sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=body)
    elif service == "sns":
        boto3.client("sns", region_name=region).publish(TopicArn=destination_arn, Message=body)
    else:
        raise InvalidDestination(f"{destination_arn!r}: only SQS queue and SNS topic destinations are supported")


class LambdaHarness:
    """Lambda's invoke path (sync and async) and event source mappings, in this process.

    Use inside `moto.mock_aws()`; see the package docstring (tests/harness/__init__.py).
    """

    _active: LambdaHarness | None = None

    def __init__(self, region: str = "us-east-1", stack: str = "test") -> None:
        self.region = region
        self.stack = stack
        self.runtime = Runtime()
        self.invocations: list[Invocation] = []
        self.pending_async: deque[AsyncEvent] = deque()
        self._patch: Any = None
        self._last = threading.local()
        self._role_arn: str | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> LambdaHarness:
        if LambdaHarness._active is not None:
            raise RuntimeError("a LambdaHarness is already active; nest them not")
        harness = self

        def invoke(function: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> bytes:
            return harness._on_invoke(function, body, request_headers, response_headers)

        self._patch = mock.patch.object(LambdaFunction, "invoke", invoke)
        self._patch.start()
        LambdaHarness._active = self
        self.lambda_client = boto3.client("lambda", region_name=self.region)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._patch.stop()
        LambdaHarness._active = None

    # ------------------------------------------------------------------ functions

    def role_arn(self) -> str:
        """One execution role for the harness's functions (moto checks that the role exists)."""
        if self._role_arn is None:
            iam = boto3.client("iam", region_name=self.region)
            try:
                self._role_arn = iam.get_role(RoleName=HARNESS_ROLE)["Role"]["Arn"]  # a module-scoped account may have it
            except iam.exceptions.NoSuchEntityException:
                trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
                self._role_arn = iam.create_role(RoleName=HARNESS_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        return self._role_arn

    def deploy(
        self,
        name: str,
        handler: str,
        *,
        service: str | None = None,
        environment: Mapping[str, str] | None = None,
        timeout_seconds: int = 10,
        memory_mb: int = 256,
        tracing_mode: str = "Active",
        runtime: str = "python3.12",
    ) -> str:
        """CreateFunction with the platform's telemetry variables plus `environment`; returns the ARN."""
        variables = {**telemetry_environment(service or name, self.stack), **(environment or {})}
        created = self.lambda_client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=self.role_arn(),
            Handler=handler,
            Code={"ZipFile": placeholder_code()},
            Timeout=timeout_seconds,
            MemorySize=memory_mb,
            Environment={"Variables": variables},
            TracingConfig={"Mode": tracing_mode},
            Architectures=["arm64"],
        )
        return created["FunctionArn"]

    def invoke(self, function_name: str, event: Any = None, *, invocation_type: str = "RequestResponse",
               client_context: str | None = None) -> Invocation | None:
        """Invoke through the real Lambda API (boto3 → moto → the harness).

        Returns the synchronous invocation; None for `Event` (queued until `run_async`).
        """
        request: dict[str, Any] = {"FunctionName": function_name, "InvocationType": invocation_type,
                                   "Payload": json.dumps({} if event is None else event).encode()}
        if client_context is not None:
            request["ClientContext"] = client_context
        self._last.invocation = None
        self.lambda_client.invoke(**request)
        return self._last.invocation if invocation_type == "RequestResponse" else None

    def last_invocation(self) -> Invocation | None:
        """The synchronous invocation this thread made last (used by the event source pollers)."""
        return getattr(self._last, "invocation", None)

    def invocations_of(self, function_name: str) -> list[Invocation]:
        return [invocation for invocation in self.invocations if invocation.function_name == function_name]

    # ------------------------------------------------------------------ the hook

    def _on_invoke(self, function: LambdaFunction, body: Any, request_headers: Any, response_headers: Any) -> bytes:
        headers = {str(name): str(value) for name, value in dict(request_headers or {}).items()}
        lowered = {name.lower(): value for name, value in headers.items()}
        invocation_type = lowered.get("x-amz-invocation-type", "RequestResponse")
        config = FunctionConfig.from_api(function.get_configuration())
        text = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
        if invocation_type == "DryRun":
            return b""
        if invocation_type == "Event":
            try:
                json.loads(text or "{}")
            except ValueError as error:
                raise LambdaClientError("InvalidRequestContentException", f"Could not parse request body into json: {error}") from error
            self.pending_async.append(AsyncEvent(config, text, headers))
            return b""
        outcome = self._run(config, text, headers, "RequestResponse")
        if outcome.function_error:
            response_headers["x-amz-function-error"] = outcome.function_error
        return outcome.payload

    def _run(self, config: FunctionConfig, body: str, headers: Mapping[str, str], invocation_type: str) -> Outcome:
        try:
            outcome = self.runtime.invoke(config, body, headers)
        except InvalidRequestContent as error:
            raise LambdaClientError("InvalidRequestContentException", str(error)) from error
        invocation = Invocation(config.name, invocation_type, json.loads(body) if body.strip() else {}, outcome)
        with self._lock:
            self.invocations.append(invocation)
        self._last.invocation = invocation
        return outcome

    # ------------------------------------------------------------------ asynchronous invocation

    def _event_invoke_config(self, function_name: str) -> Mapping[str, Any]:
        try:
            return self.lambda_client.get_function_event_invoke_config(FunctionName=function_name)
        except self.lambda_client.exceptions.ResourceNotFoundException:
            return {}

    def run_async(self, max_invocations: int = 100) -> list[Invocation]:
        """Run queued asynchronous invocations the way Lambda's internal queue does.

        A failed event is retried (MaximumRetryAttempts of the function's event invoke config,
        default 2) and then sent to the OnFailure destination, if one is configured; a
        succeeded event goes to the OnSuccess destination. Retries run back to back: the
        harness does not wait Lambda's one and two minutes between attempts.
        """
        ran: list[Invocation] = []
        while self.pending_async:
            if len(ran) >= max_invocations:
                raise RuntimeError(f"more than {max_invocations} asynchronous invocations; is something re-queuing forever?")
            queued = self.pending_async.popleft()
            queued.attempts += 1
            outcome = self._run(queued.config, queued.body, queued.headers, "Event")
            ran.append(self._last.invocation)
            settings = self._event_invoke_config(queued.config.name)
            retries = settings.get("MaximumRetryAttempts", DEFAULT_ASYNC_RETRIES)
            if outcome.function_error and queued.attempts <= retries:
                self.pending_async.appendleft(queued)
                continue
            condition = "RetriesExhausted" if outcome.function_error else "Success"
            destination = ((settings.get("DestinationConfig") or {}).get("OnFailure" if outcome.function_error else "OnSuccess") or {}).get("Destination")
            if destination:
                deliver(queued.config.region, destination, async_destination_record(
                    function_arn=queued.config.arn, request_id=outcome.request_id, condition=condition,
                    invoke_count=queued.attempts, request_payload=json.loads(queued.body or "{}"),
                    response_payload=outcome.json(), function_error=outcome.function_error,
                ))
        return ran

    # ------------------------------------------------------------------ event source mappings

    def create_event_source_mapping(self, **spec: Any) -> Any:
        """A poller for an SQS queue, Kinesis stream or DynamoDB stream, configured with the
        CreateEventSourceMapping parameters (FunctionName, EventSourceArn, BatchSize,
        FunctionResponseTypes, BisectBatchOnFunctionError, MaximumRetryAttempts,
        DestinationConfig, StartingPosition, Enabled). See `tests.harness.event_sources`."""
        from tests.harness.event_sources import create_mapping

        return create_mapping(self, spec)

