"""Calling the data extractor: a synchronous invoke that carries the trace context.

The payload carries `_trace_context` (the extractor's invocation span links to this call's
CLIENT span). A function error or a throttle comes back as an exception naming the cause, so
the run fails and Lambda's retries and failure queue take over.
"""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.trace import SpanKind

from handlers.boto_clients import client
from handlers.telemetry.invocation_state import current
from handlers.telemetry.propagation import inject_payload
from handlers.telemetry.tracing import tracing


class ExtractorFailed(RuntimeError):
    """The extractor answered with a function error."""


def extract(function_name: str, day: str) -> Any:
    attributes = {"rpc.system": "aws-api", "rpc.service": "Lambda", "rpc.method": "Invoke", "faas.invoked_name": function_name}
    with tracing.tracer(current.service).start_as_current_span(f"{function_name} invoke", kind=SpanKind.CLIENT, attributes=attributes):
        payload = json.dumps(inject_payload({"day": day})).encode()
        answer = client("lambda").invoke(FunctionName=function_name, InvocationType="RequestResponse", Payload=payload)
        body = answer["Payload"].read()
    if answer.get("FunctionError"):
        try:
            error = json.loads(body)
        except ValueError:
            error = {"errorMessage": body.decode("utf-8", "replace")}
        raise ExtractorFailed(f"{function_name} failed: {error.get('errorType', 'Error')}: {error.get('errorMessage')}")
    return json.loads(body)
