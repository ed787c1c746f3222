"""X-Ray subsegment documents for AWS SDK calls: pure builders, no I/O.

Inside Lambda the function's segment is Lambda's own (`_X_AMZN_TRACE_ID` names it: Root is
the trace, Parent the function segment, Sampled the decision). Each AWS call becomes one
independent subsegment of that segment, sent to the daemon as a UDP datagram: the header
line `{"format": "json", "version": 1}`, a newline, then the document. The fields follow
the X-Ray segment document schema: `namespace: "aws"` and the `aws` object (operation,
region, request id, retries, and the resource the call names, e.g. `table_name`) are what
X-Ray uses to draw the downstream node on the trace map.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.aws import AwsXRayPropagator

from handlers.telemetry.xray_header import lineage_of

DAEMON_HEADER = b'{"format":"json","version":1}\n'
DEFAULT_DAEMON = ("127.0.0.1", 2000)
MAX_MESSAGE_LENGTH = 1024
MAX_PARAMETER_LENGTH = 250
XRAY_TRACE_HEADER = "X-Amzn-Trace-Id"
_propagator = AwsXRayPropagator()

# Request parameters that name the resource a call touches, per botocore service id, with
# the `aws` key X-Ray reads them from (the names the X-Ray SDKs use).
RESOURCE_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "DynamoDB": (("TableName", "table_name"), ("IndexName", "index_name")),
    "SQS": (("QueueUrl", "queue_url"), ("QueueName", "queue_name")),
    "SNS": (("TopicArn", "topic_arn"), ("TargetArn", "target_arn")),
    "Lambda": (("FunctionName", "function_name"), ("InvocationType", "invocation_type"), ("Qualifier", "qualifier")),
    "Kinesis": (("StreamName", "stream_name"), ("StreamARN", "stream_arn")),
    "Firehose": (("DeliveryStreamName", "delivery_stream_name"),),
    "SFN": (("stateMachineArn", "state_machine_arn"), ("executionArn", "execution_arn")),
    "EventBridge": (("EventBusName", "event_bus_name"),),
    "S3": (("Bucket", "bucket_name"), ("Key", "key_name")),
    "Secrets Manager": (("SecretId", "secret_id"),),
    "SSM": (("Name", "parameter_name"),),
}


class TraceHeader:
    """The parts of an X-Ray trace header a subsegment needs; a plain slotted class for speed."""

    __slots__ = ("root", "parent", "sampled", "lineage")

    def __init__(self, root: str, parent: str, sampled: bool, lineage: str | None) -> None:
        self.root = root
        self.parent = parent
        self.sampled = sampled
        self.lineage = lineage

    def downstream(self, subsegment_id: str) -> str:
        """The header for the outgoing request: the downstream service's parent is the subsegment."""
        header = f"Root={self.root};Parent={subsegment_id};Sampled={1 if self.sampled else 0}"
        return f"{header};Lineage={self.lineage}" if self.lineage else header


def parse_trace_header(header: str | None) -> TraceHeader | None:
    """Root, Parent, Sampled and Lineage of a Lambda trace header; None when it cannot parent a subsegment.

    The OpenTelemetry X-Ray propagator validates and parses it (the same one that continues the
    trace for the invocation span), so the two can never disagree on what a valid header is.
    """
    if not header:
        return None
    extracted = _propagator.extract({XRAY_TRACE_HEADER: header}, Context())
    span_context = trace.get_current_span(extracted).get_span_context()
    if not span_context.is_valid:
        return None
    trace_hex = f"{span_context.trace_id:032x}"
    return TraceHeader(f"1-{trace_hex[:8]}-{trace_hex[8:]}", f"{span_context.span_id:016x}", span_context.trace_flags.sampled,
                       lineage_of(header))


def daemon_address(value: str | None) -> tuple[str, int]:
    """`AWS_XRAY_DAEMON_ADDRESS`: `host:port`, or `tcp:host:port udp:host:port` (the UDP one is used)."""
    if not value:
        return DEFAULT_DAEMON
    chosen = value.strip()
    for part in chosen.split():
        if part.startswith("udp:"):
            chosen = part[4:]
            break
    host, _, port = chosen.rpartition(":")
    if not host or not port.isdigit():
        return DEFAULT_DAEMON
    return host, int(port)


def resource_metadata(service_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for parameter, key in RESOURCE_PARAMETERS.get(service_id, ()):
        value = params.get(parameter)
        if isinstance(value, str) and value:
            found[key] = value[:MAX_PARAMETER_LENGTH]
    if service_id == "DynamoDB" and isinstance(params.get("RequestItems"), Mapping):
        found["table_names"] = sorted(str(name)[:MAX_PARAMETER_LENGTH] for name in params["RequestItems"])
    return found


def outcome_flags(status: int | None, failed: bool) -> dict[str, bool]:
    """X-Ray's error (4xx), throttle (429, with error) and fault (5xx or no response) flags."""
    if status is not None and 400 <= status < 500:
        return {"error": True, "throttle": True} if status == 429 else {"error": True}
    if (status is not None and status >= 500) or (failed and status is None):
        return {"fault": True}
    return {}


def subsegment(
    *,
    subsegment_id: str,
    trace: TraceHeader,
    service_id: str,
    operation: str,
    region: str | None,
    params: Mapping[str, Any],
    start: float,
    end: float,
    response: Mapping[str, Any] | None,
    error: BaseException | None,
) -> dict[str, Any]:
    """The document for one AWS call: `response` is botocore's parsed response (on a ClientError,
    the error's `response`), `error` the exception the call raised, if any."""
    metadata = (response or {}).get("ResponseMetadata") or {}
    status = metadata.get("HTTPStatusCode") if isinstance(metadata.get("HTTPStatusCode"), int) else None
    aws: dict[str, Any] = {"operation": operation}
    if region:
        aws["region"] = region
    if metadata.get("RequestId"):
        aws["request_id"] = metadata["RequestId"]
    if isinstance(metadata.get("RetryAttempts"), int):
        aws["retries"] = metadata["RetryAttempts"]
    aws.update(resource_metadata(service_id, params))
    document: dict[str, Any] = {
        "id": subsegment_id,
        "trace_id": trace.root,
        "parent_id": trace.parent,
        "type": "subsegment",
        "name": service_id,
        "namespace": "aws",
        "start_time": start,
        "end_time": end,
        "aws": aws,
    }
    if status is not None:
        document["http"] = {"response": {"status": status}}
    document.update(outcome_flags(status, error is not None))
    if error is not None:
        document["cause"] = {
            "exceptions": [
                {
                    "id": subsegment_id,
                    "type": type(error).__name__,
                    "message": str(error)[:MAX_MESSAGE_LENGTH],
                    "remote": status is not None,  # the service answered with an error
                }
            ]
        }
    return document


def datagram(document: Mapping[str, Any]) -> bytes:
    return DAEMON_HEADER + json.dumps(document, separators=(",", ":"), default=str).encode("utf-8")
