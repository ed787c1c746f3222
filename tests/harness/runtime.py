"""One Lambda invocation run in this process: the runtime's side of the Lambda service.

Everything here mirrors what the Python runtime (awslambdaric) does around a handler, so a
handler cannot tell it apart from the real thing: the event is the request body parsed as JSON,
the context has the runtime's attributes (`memory_limit_in_mb` is a string there too), the
environment holds exactly the function's variables plus the reserved ones Lambda sets, and the
result is marshalled the way the runtime marshals it (Decimal as a number, bytes as they are).
A handler's exception becomes the runtime's error document with FunctionError `Unhandled`.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import os
import re
import secrets
import threading
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

# Passed through from the test process: what a Lambda sandbox also has (credentials come from the
# function's role there, from moto here) plus what the interpreter itself needs to keep working.
PASSTHROUGH_PREFIXES = ("MOTO_", "TEST_SERVER_MODE")
PASSTHROUGH_NAMES = frozenset(
    ("PATH", "HOME", "TMPDIR", "PYTHONPATH", "LD_LIBRARY_PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
)
# The harness turns the X-Ray SDK's botocore patch off unless the function's own configuration
# says otherwise: it would patch botocore for the whole test process, not for one function.
HARNESS_DEFAULTS = {"TELEMETRY_XRAY_PATCH": "off"}
TRACE_HEADER = "X-Amzn-Trace-Id"


@dataclass(frozen=True)
class FunctionConfig:
    """The parts of a function's configuration (GetFunctionConfiguration) that shape an invocation."""

    name: str
    arn: str
    handler: str
    runtime: str
    memory_mb: int
    timeout_seconds: int
    version: str
    role: str
    environment: Mapping[str, str]
    tracing_mode: str

    @classmethod
    def from_api(cls, configuration: Mapping[str, Any]) -> FunctionConfig:
        return cls(
            name=configuration["FunctionName"],
            arn=configuration["FunctionArn"],
            handler=configuration.get("Handler") or "",
            runtime=configuration.get("Runtime") or "python3.12",
            memory_mb=int(configuration.get("MemorySize") or 128),
            timeout_seconds=int(configuration.get("Timeout") or 3),
            version="$LATEST" if configuration.get("Version") in (None, "1", "$LATEST") else str(configuration["Version"]),
            role=configuration.get("Role") or "",
            environment=dict((configuration.get("Environment") or {}).get("Variables") or {}),
            tracing_mode=(configuration.get("TracingConfig") or {}).get("Mode") or "PassThrough",
        )

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.name}"


class ClientContext:
    """`context.client_context`, as the runtime builds it from the X-Amz-Client-Context header."""

    __slots__ = ("custom", "env", "client")

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.custom = document.get("custom")
        self.env = document.get("env")
        self.client = document.get("client")


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self) -> None:
        self.cognito_identity_id = None
        self.cognito_identity_pool_id = None


class LambdaContext:
    """The runtime's context object; the deadline runs on the wall clock like the real one."""

    def __init__(self, config: FunctionConfig, request_id: str, log_stream: str, deadline_ms: int,
                 client_context: ClientContext | None) -> None:
        self.aws_request_id = request_id
        self.function_name = config.name
        self.function_version = config.version
        self.invoked_function_arn = config.arn
        self.memory_limit_in_mb = str(config.memory_mb)
        self.log_group_name = config.log_group
        self.log_stream_name = log_stream
        self.client_context = client_context
        self.identity = CognitoIdentity()
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


@dataclass(frozen=True)
class Outcome:
    """What the Lambda service answers: the payload bytes and, on failure, FunctionError."""

    payload: bytes
    function_error: str | None  # "Unhandled" when the handler raised or its result could not be marshalled
    request_id: str
    duration_ms: float
    trace_header: str

    def json(self) -> Any:
        return json.loads(self.payload) if self.payload else None


class InvalidRequestContent(ValueError):
    """The payload is not JSON: Lambda refuses the request before any handler runs."""


def new_trace_header(incoming: str | None, tracing_mode: str) -> str:
    """`_X_AMZN_TRACE_ID` for the invocation.

    An incoming X-Ray header (what the X-Ray SDK adds to the Invoke call) is continued with a new
    parent, as Lambda does. Without one, active tracing starts a sampled trace (the harness does
    not apply sampling rules) and PassThrough an unsampled one.
    """
    fields = dict(part.split("=", 1) for part in (incoming or "").split(";") if "=" in part)
    root = fields.get("Root")
    if not root or not re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", root):
        root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
        sampled = "1" if tracing_mode == "Active" else "0"
    else:
        sampled = fields.get("Sampled", "1" if tracing_mode == "Active" else "0")
    header = f"Root={root};Parent={secrets.token_hex(8)};Sampled={sampled}"
    if "Lineage" in fields:
        header += f";Lineage={fields['Lineage']}"
    return header


def log_stream_name(now: float | None = None) -> str:
    day = time.strftime("%Y/%m/%d", time.gmtime(now if now is not None else time.time()))
    return f"{day}/[$LATEST]{uuid.uuid4().hex}"


def invocation_environment(config: FunctionConfig, process_env: Mapping[str, str], request_id: str,
                           trace_header: str, log_stream: str) -> dict[str, str]:
    """The whole environment the handler sees: nothing of the test process leaks in beyond
    PASSTHROUGH_*, so a variable the components forget to set fails here as it would in AWS."""
    env = {name: value for name, value in process_env.items() if name in PASSTHROUGH_NAMES or name.startswith(PASSTHROUGH_PREFIXES)}
    env.update(HARNESS_DEFAULTS)
    env.update(
        {
            "_HANDLER": config.handler,
            "AWS_REGION": config.region,
            "AWS_DEFAULT_REGION": config.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{config.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": config.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": config.version,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": config.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "LAMBDA_TASK_ROOT": "/var/task",
            "LAMBDA_RUNTIME_DIR": "/var/runtime",
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "_X_AMZN_TRACE_ID": trace_header,
        }
    )
    env.update(config.environment)  # the function's own variables; Lambda refuses reserved names there
    return env


def resolve_handler(handler: str) -> Callable[..., Any]:
    """`package.module.function`, as the Python runtime reads the Handler setting."""
    module_name, _, attribute = handler.replace("/", ".").rpartition(".")
    if not module_name:
        raise ValueError(f"handler {handler!r} is not of the form module.function")
    return getattr(importlib.import_module(module_name), attribute)


def client_context(header: str | None) -> ClientContext | None:
    if not header:
        return None
    try:
        document = json.loads(base64.b64decode(header, validate=True))
    except (binascii.Error, ValueError) as error:
        raise InvalidRequestContent(f"Client context is not base64-encoded JSON: {error}") from error
    return ClientContext(document if isinstance(document, dict) else {})


def marshal(result: Any, runtime: str) -> bytes:
    """The runtime's marshaller: bytes as they are, Decimal as its exact number text, else JSON."""
    if isinstance(result, bytes):
        return result
    nonce = secrets.token_hex(8)

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{nonce}{value}{nonce}" if value.is_finite() else float("nan")
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    text = json.dumps(result, default=default, ensure_ascii=runtime != "python3.12", separators=(", ", ": "))
    return re.sub(f'"{nonce}(.*?){nonce}"', r"\1", text).encode("utf-8")


def error_document(error: BaseException, request_id: str, error_type: str | None = None) -> dict[str, Any]:
    """The runtime's error document; the stack starts in the handler, not in the runtime's call."""
    frames = error.__traceback__.tb_next if error.__traceback__ is not None else None
    return {
        "errorMessage": str(error),
        "errorType": error_type or type(error).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(frames) if frames is not None else [],
    }


_environment_lock = threading.RLock()


@contextmanager
def swapped_environment(env: Mapping[str, str]) -> Iterator[None]:
    """Replace os.environ for the invocation and restore it exactly afterwards.

    Invocations are serialised with a re-entrant lock: the environment is process-wide, and a
    handler may synchronously invoke another function (same thread) while Step Functions runs
    tasks from its own thread.
    """
    with _environment_lock:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


@dataclass
class Runtime:
    """Runs one invocation of a configured function in this process."""

    clock: Callable[[], float] = field(default=time.time)

    def invoke(self, config: FunctionConfig, body: str | bytes | None, headers: Mapping[str, str]) -> Outcome:
        lowered = {str(name).lower(): value for name, value in headers.items()}
        text = body.decode("utf-8") if isinstance(body, bytes) else (body or "")
        try:
            event = json.loads(text) if text.strip() else {}
        except ValueError as error:
            raise InvalidRequestContent(f"Could not parse request body into json: {error}") from error
        context_object = client_context(lowered.get("x-amz-client-context"))
        request_id = str(uuid.uuid4())
        trace_header = new_trace_header(lowered.get(TRACE_HEADER.lower()), config.tracing_mode)
        stream = log_stream_name(self.clock())
        env = invocation_environment(config, os.environ, request_id, trace_header, stream)
        started = self.clock()
        deadline_ms = int((started + config.timeout_seconds) * 1000)
        with swapped_environment(env):
            try:
                function = resolve_handler(config.handler)  # import = the init phase, once per process
                result = function(event, LambdaContext(config, request_id, stream, deadline_ms, context_object))
            except Exception as error:  # noqa: BLE001 - the runtime reports whatever the handler raised
                payload, function_error = marshal(error_document(error, request_id), config.runtime), "Unhandled"
            else:
                try:
                    payload, function_error = marshal(result, config.runtime), None
                except (TypeError, ValueError) as error:
                    unmarshallable = TypeError(f"Unable to marshal response: {error}")
                    payload = marshal(error_document(unmarshallable, request_id, "Runtime.MarshalError"), config.runtime)
                    function_error = "Unhandled"
        duration_ms = (self.clock() - started) * 1000
        if duration_ms > config.timeout_seconds * 1000:
            # In-process code cannot be stopped; the outcome is what Lambda would have reported.
            timeout = TimeoutError(f"Task timed out after {config.timeout_seconds:.2f} seconds")
            payload, function_error = marshal(error_document(timeout, request_id, "Sandbox.Timedout"), config.runtime), "Unhandled"
        return Outcome(payload, function_error, request_id, duration_ms, trace_header)
