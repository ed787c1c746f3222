"""Carry trace context across asynchronous hops: SQS, SNS, EventBridge, Step Functions.

Producers inject both the W3C `traceparent`/`tracestate` (what OpenTelemetry consumers read)
and the X-Ray header (what X-Ray and AWS services read). Consumers extract per record,
W3C first, and link the record's processing span to the producer span: a batch mixes
messages from many traces, so a record cannot simply continue one of them.

Nothing here raises on bad input from the wire: a malformed or oversized header is logged
as a warning and the record is processed without a producer link.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from handlers.telemetry.invocation_state import current
from handlers.telemetry.structured_logger import logger
from handlers.telemetry.tracing import tracing
from handlers.telemetry.xray_header import LINEAGE_KEY, MAX_HEADER_LENGTH, with_lineage

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
XRAY_HEADER = "X-Amzn-Trace-Id"
SQS_XRAY_SYSTEM_ATTRIBUTE = "AWSTraceHeader"
TRACE_CONTEXT_KEY = "_trace_context"  # reserved key in EventBridge detail and Step Functions input
MAX_MESSAGE_ATTRIBUTES = 10  # SQS, and SNS when it delivers to SQS
MAX_W3C_LENGTH = 512

_w3c = TraceContextTextMapPropagator()
_xray = AwsXRayPropagator()


# ---------------------------------------------------------------- producer side


def current_headers(ctx: otel_context.Context | None = None) -> dict[str, str]:
    """traceparent, tracestate (if any) and X-Amzn-Trace-Id for the current span; {} if none."""
    headers: dict[str, str] = {}
    _w3c.inject(headers, context=ctx)
    _xray.inject(headers, context=ctx)
    if XRAY_HEADER in headers:
        headers[XRAY_HEADER] = with_lineage(headers[XRAY_HEADER], otel_context.get_value(LINEAGE_KEY, ctx))
    return headers


def _add_message_attributes(existing: Mapping[str, Any] | None, wanted: list[tuple[str, str]], where: str) -> dict[str, Any]:
    """Add string attributes in priority order without ever exceeding the 10-attribute limit."""
    attributes = dict(existing or {})
    skipped = []
    for name, value in wanted:
        if name in attributes:
            continue
        if len(attributes) >= MAX_MESSAGE_ATTRIBUTES:
            skipped.append(name)
            continue
        attributes[name] = {"DataType": "String", "StringValue": value}
    if skipped:
        logger.warning(
            "trace context not injected: message attribute limit reached",
            destination=where,
            skipped_attributes=skipped,
            limit=MAX_MESSAGE_ATTRIBUTES,
        )
    return attributes


def inject_sqs(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of SendMessage kwargs (or a SendMessageBatch entry) carrying the trace context.

    W3C goes into MessageAttributes (counted against the limit of 10); the X-Ray header goes
    into the AWSTraceHeader system attribute, which is not counted and which Lambda reads.
    """
    headers = current_headers()
    result = dict(entry)
    if not headers:
        return result
    wanted = [(TRACEPARENT, headers[TRACEPARENT])] + ([(TRACESTATE, headers[TRACESTATE])] if TRACESTATE in headers else [])
    result["MessageAttributes"] = _add_message_attributes(entry.get("MessageAttributes"), wanted, "sqs")
    system = dict(entry.get("MessageSystemAttributes") or {})
    system.setdefault(SQS_XRAY_SYSTEM_ATTRIBUTE, {"DataType": "String", "StringValue": headers[XRAY_HEADER]})
    result["MessageSystemAttributes"] = system
    return result


def inject_sns(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of Publish kwargs (or a PublishBatch entry) carrying the trace context.

    SNS has no system attribute for X-Ray, so all three travel as message attributes, in the
    order traceparent, X-Amzn-Trace-Id, tracestate, as far as the limit of 10 allows.
    """
    headers = current_headers()
    result = dict(entry)
    if not headers:
        return result
    wanted = [(TRACEPARENT, headers[TRACEPARENT]), (XRAY_HEADER, headers[XRAY_HEADER])]
    if TRACESTATE in headers:
        wanted.append((TRACESTATE, headers[TRACESTATE]))
    result["MessageAttributes"] = _add_message_attributes(entry.get("MessageAttributes"), wanted, "sns")
    return result


def inject_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of a JSON object with the trace context under the reserved `_trace_context` key."""
    result = dict(payload)
    headers = current_headers()
    if headers:
        result[TRACE_CONTEXT_KEY] = headers
    return result


def _inject_json_text(text: Any, where: str) -> Any:
    try:
        payload = json.loads(text) if isinstance(text, (str, bytes)) else text
    except ValueError:
        payload = None
    if not isinstance(payload, Mapping):
        logger.warning("trace context not injected: payload is not a JSON object", destination=where)
        return text
    return json.dumps(inject_payload(payload), separators=(",", ":"))


def inject_eventbridge(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of a PutEvents entry: context in `detail._trace_context` and in `TraceHeader`."""
    result = dict(entry)
    headers = current_headers()
    if not headers:
        return result
    result["Detail"] = _inject_json_text(entry.get("Detail") or "{}", "eventbridge")
    result.setdefault("TraceHeader", headers[XRAY_HEADER])
    return result


def inject_stepfunctions(start_execution: Mapping[str, Any]) -> dict[str, Any]:
    """Copy of StartExecution kwargs: context in `input._trace_context` and in `traceHeader`.

    States that reshape their input (Parameters, ResultSelector) must pass `_trace_context`
    along for tasks further down to see it.
    """
    result = dict(start_execution)
    headers = current_headers()
    if not headers:
        return result
    result["input"] = _inject_json_text(start_execution.get("input") or "{}", "stepfunctions")
    result.setdefault("traceHeader", headers[XRAY_HEADER])
    return result


def strip_trace_context(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload without the reserved key, so business code never stores or forwards it."""
    return {key: value for key, value in payload.items() if key != TRACE_CONTEXT_KEY}


# ---------------------------------------------------------------- consumer side


@dataclass(frozen=True)
class ProducerContext:
    span_context: SpanContext
    source: str  # where it was found, e.g. "sqs.message_attributes.traceparent"


def _string_value(attribute: Any) -> Any:
    """Lambda (stringValue), SQS API (StringValue) and SNS (Value) spell it differently."""
    if isinstance(attribute, Mapping):
        for key in ("stringValue", "StringValue", "Value"):
            if key in attribute:
                return attribute[key]
    return attribute  # e.g. a Binary attribute: not a string, reported as malformed by the caller


def _from_w3c(traceparent: Any, tracestate: Any, source: str) -> ProducerContext | None:
    if traceparent is None:
        return None
    if not isinstance(traceparent, str) or len(traceparent) > MAX_W3C_LENGTH:
        logger.warning("ignoring malformed traceparent", source=source, value=repr(traceparent)[:128])
        return None
    carrier = {TRACEPARENT: traceparent}
    if isinstance(tracestate, str) and len(tracestate) <= MAX_W3C_LENGTH:
        carrier[TRACESTATE] = tracestate
    span_context = trace.get_current_span(_w3c.extract(carrier, otel_context.Context())).get_span_context()
    if not span_context.is_valid:
        logger.warning("ignoring malformed traceparent", source=source, value=traceparent[:128])
        return None
    return ProducerContext(span_context, source)


def _from_xray(header: Any, source: str) -> ProducerContext | None:
    if header is None:
        return None
    if not isinstance(header, str) or len(header) > MAX_HEADER_LENGTH:
        logger.warning("ignoring malformed X-Ray trace header", source=source, value=repr(header)[:128])
        return None
    span_context = trace.get_current_span(_xray.extract({XRAY_HEADER: header}, otel_context.Context())).get_span_context()
    if not span_context.is_valid:
        logger.warning("ignoring malformed X-Ray trace header", source=source, value=header[:128])
        return None
    return ProducerContext(span_context, source)


def _carriers(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every place a producer may have put a context, in precedence order."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    attributes = record.get("messageAttributes") or record.get("MessageAttributes")
    if isinstance(attributes, Mapping):
        found.append(("sqs.message_attributes", {name: _string_value(value) for name, value in attributes.items()}))
    sns = record.get("Sns")
    if isinstance(sns, Mapping) and isinstance(sns.get("MessageAttributes"), Mapping):
        found.append(("sns.message_attributes", {k: _string_value(v) for k, v in sns["MessageAttributes"].items()}))
    found.extend(_embedded_carriers(record))
    return found


def _embedded_carriers(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Contexts inside a JSON payload: SNS envelope (non-raw delivery), EventBridge, Step Functions."""
    body: Any = record.get("body", record.get("Body"))
    if body is None:
        payload: Any = record  # a direct EventBridge or Step Functions event
        prefix = "event"
    else:
        prefix = "sqs.body"
        if not isinstance(body, str) or not body.lstrip().startswith("{"):
            return []
        try:
            payload = json.loads(body)
        except ValueError:
            return []  # not JSON: not our business here, the record handler will judge the body
    if not isinstance(payload, Mapping):
        return []
    found: list[tuple[str, Mapping[str, Any]]] = []
    if payload.get("Type") == "Notification" and isinstance(payload.get("MessageAttributes"), Mapping):
        found.append((f"{prefix}.sns_envelope", {k: _string_value(v) for k, v in payload["MessageAttributes"].items()}))
        message = payload.get("Message")
        if isinstance(message, str) and message.lstrip().startswith("{"):
            try:
                payload = json.loads(message)
            except ValueError:
                payload = {}
    for key, where in ((TRACE_CONTEXT_KEY, "payload"), ("detail", "eventbridge_detail")):
        holder = payload.get(key) if isinstance(payload, Mapping) else None
        if key == "detail" and isinstance(holder, Mapping):
            holder = holder.get(TRACE_CONTEXT_KEY)
        if holder is not None:
            if isinstance(holder, Mapping):
                found.append((f"{prefix}.{where}", holder))
            else:
                logger.warning("ignoring malformed trace context", source=f"{prefix}.{where}", value=repr(holder)[:128])
    return found


def extract_record(record: Mapping[str, Any]) -> ProducerContext | None:
    """The producer's span context for one SQS/SNS record or one EventBridge/Step Functions event."""
    if not isinstance(record, Mapping):
        return None
    carriers = _carriers(record)
    for where, carrier in carriers:
        if TRACEPARENT in carrier:
            found = _from_w3c(carrier.get(TRACEPARENT), carrier.get(TRACESTATE), f"{where}.traceparent")
            if found is not None:
                return found
    system = record.get("attributes") or record.get("Attributes")
    if isinstance(system, Mapping) and SQS_XRAY_SYSTEM_ATTRIBUTE in system:
        found = _from_xray(system.get(SQS_XRAY_SYSTEM_ATTRIBUTE), "sqs.attributes.AWSTraceHeader")
        if found is not None:
            return found
    for where, carrier in carriers:
        if XRAY_HEADER in carrier:
            found = _from_xray(carrier.get(XRAY_HEADER), f"{where}.{XRAY_HEADER}")
            if found is not None:
                return found
    return None


def producer_link(record: Mapping[str, Any]) -> list[Link]:
    found = extract_record(record)
    return [Link(found.span_context, {"messaging.trace_context.source": found.source})] if found else []


def event_links(event: Mapping[str, Any]) -> list[Link]:
    """Links for a whole event: one per SNS record, or one for an EventBridge/Step Functions event."""
    records = event.get("Records")
    if isinstance(records, list):
        return [link for record in records if isinstance(record, Mapping) for link in producer_link(record)]
    return producer_link(event)


def http_links(headers: Mapping[str, Any]) -> list[Link]:
    """A link to the HTTP client's span from its W3C headers (header names are case-insensitive)."""
    lowered = {str(name).lower(): value for name, value in headers.items()}
    found = _from_w3c(lowered.get(TRACEPARENT), lowered.get(TRACESTATE), "http.headers.traceparent")
    return [Link(found.span_context, {"messaging.trace_context.source": found.source})] if found else []


def _destination(record: Mapping[str, Any]) -> str:
    arn = record.get("eventSourceARN") or ""
    return arn.rsplit(":", 1)[-1] if arn else "message"


@contextmanager
def record_span(record: Mapping[str, Any], name: str | None = None) -> Iterator[trace.Span]:
    """A CONSUMER span for one record: child of the current (invocation) span, linked to its producer.

    Exceptions are recorded on the span, which gets ERROR status, and re-raised.
    """
    destination = _destination(record)
    attributes: dict[str, Any] = {"messaging.operation.type": "process", "messaging.destination.name": destination}
    message_id = record.get("messageId") or record.get("MessageId")
    if isinstance(message_id, str):
        attributes["messaging.message.id"] = message_id
    source = record.get("eventSource")
    if isinstance(source, str) and source.startswith("aws:"):
        attributes["messaging.system"] = "aws_" + source[4:]
    tracer = tracing.tracer(current.service)
    with tracer.start_as_current_span(
        name or f"{destination} process",
        kind=SpanKind.CONSUMER,
        attributes=attributes,
        links=producer_link(record),
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            raise


@contextmanager
def publish_span(destination: str, system: str) -> Iterator[trace.Span]:
    """A PRODUCER span around a send/publish, so consumers link to the send itself.

    `system` is the OpenTelemetry messaging.system value: aws_sqs, aws_sns, aws_eventbridge,
    aws_stepfunctions. Inject inside the block: the injected context is this span's.
    """
    attributes = {"messaging.system": system, "messaging.operation.type": "send", "messaging.destination.name": destination}
    with tracing.tracer(current.service).start_as_current_span(f"{destination} send", kind=SpanKind.PRODUCER, attributes=attributes) as span:
        yield span
