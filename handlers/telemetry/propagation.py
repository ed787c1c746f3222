"""Carry trace context across asynchronous hops: SQS, SNS, EventBridge, Step Functions, Kinesis
and DynamoDB streams.

Producers inject both the W3C `traceparent`/`tracestate` (what OpenTelemetry consumers read)
and the X-Ray header (what X-Ray and AWS services read). Consumers extract per record,
W3C first, and link the record's processing span to the producer span: a batch mixes
messages from many traces, so a record cannot simply continue one of them.

Nothing here raises on bad input from the wire: a malformed or oversized header is logged
as a warning and the record is processed without a producer link.
"""

from __future__ import annotations

import base64
import binascii
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
from handlers.telemetry.lambda_event import source_name
from handlers.telemetry.structured_logger import logger
from handlers.telemetry.tracing import tracing
from handlers.telemetry.xray_header import LINEAGE_KEY, MAX_HEADER_LENGTH, with_lineage

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
XRAY_HEADER = "X-Amzn-Trace-Id"
SQS_XRAY_SYSTEM_ATTRIBUTE = "AWSTraceHeader"
TRACE_CONTEXT_KEY = "_trace_context"  # reserved key in EventBridge detail and Step Functions input
ITEM_TRACE_CONTEXT = "trace_context"  # DynamoDB item attribute read by stream consumers
ITEM_XRAY_FIELD = "xray"
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


def item_trace_context() -> dict[str, str]:
    """The value to store as a DynamoDB item's `trace_context` attribute; {} without an active span.

    Stream consumers link each record's span to the writer through it. A plain dict of strings,
    so boto3's TypeSerializer (or a Table resource) stores it as a map: `traceparent`,
    `tracestate` when there is one, and `xray`, the X-Ray trace header. Write it on every put
    or update, or the stream record links to whoever wrote it last.
    """
    headers = current_headers()
    if not headers:
        return {}
    context = {TRACEPARENT: headers[TRACEPARENT], ITEM_XRAY_FIELD: headers[XRAY_HEADER]}
    if TRACESTATE in headers:
        context[TRACESTATE] = headers[TRACESTATE]
    return context


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
    source = record.get("eventSource")
    if source == "aws:dynamodb":
        return _dynamodb_carriers(record)
    if source == "aws:kinesis":
        return _kinesis_carriers(record)
    found: list[tuple[str, Mapping[str, Any]]] = []
    attributes = record.get("messageAttributes") or record.get("MessageAttributes")
    if isinstance(attributes, Mapping):
        found.append(("sqs.message_attributes", {name: _string_value(value) for name, value in attributes.items()}))
    sns = record.get("Sns")
    if isinstance(sns, Mapping) and isinstance(sns.get("MessageAttributes"), Mapping):
        found.append(("sns.message_attributes", {k: _string_value(v) for k, v in sns["MessageAttributes"].items()}))
    body: Any = record.get("body", record.get("Body"))
    if body is None:
        found.extend(_payload_carriers(record, "event"))  # a direct EventBridge or Step Functions event
    else:
        found.extend(_payload_carriers(_json_object(body), "sqs.body"))
    return found


def _json_object(text: Any) -> Mapping[str, Any] | None:
    """The JSON object in `text`, or None; anything else is the record handler's business to judge."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        return None
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    return payload if isinstance(payload, Mapping) else None


def _payload_carriers(payload: Mapping[str, Any] | None, prefix: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Contexts inside a JSON payload: SNS envelope (non-raw delivery), `_trace_context`, EventBridge detail."""
    if not isinstance(payload, Mapping):
        return []
    found: list[tuple[str, Mapping[str, Any]]] = []
    if payload.get("Type") == "Notification" and isinstance(payload.get("MessageAttributes"), Mapping):
        found.append((f"{prefix}.sns_envelope", {k: _string_value(v) for k, v in payload["MessageAttributes"].items()}))
        payload = _json_object(payload.get("Message")) or {}
    for key, where in ((TRACE_CONTEXT_KEY, "payload"), ("detail", "eventbridge_detail")):
        holder = payload.get(key)
        if key == "detail" and isinstance(holder, Mapping):
            holder = holder.get(TRACE_CONTEXT_KEY)
        if holder is not None:
            if isinstance(holder, Mapping):
                found.append((f"{prefix}.{where}", holder))
            else:
                logger.warning("ignoring malformed trace context", source=f"{prefix}.{where}", value=repr(holder)[:128])
    return found


def _kinesis_carriers(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Record data that is a JSON object: the injected `_trace_context`, else its own `traceparent` field.

    The top-level field serves producers that are not ours, e.g. a browser posting through an
    API Gateway integration that writes the request body to the stream unchanged.
    """
    kinesis = record.get("kinesis")
    data = kinesis.get("data") if isinstance(kinesis, Mapping) else None
    if not isinstance(data, str):
        return []
    try:
        payload = _json_object(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return []
    if payload is None:
        return []
    found = _payload_carriers(payload, "kinesis.data")
    if TRACEPARENT in payload:
        found.append(("kinesis.data", {TRACEPARENT: payload.get(TRACEPARENT), TRACESTATE: payload.get(TRACESTATE)}))
    return found


def _dynamodb_carriers(record: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The `trace_context` map the writer stored in the item (see `item_trace_context`).

    Only the new image counts: it was written by the producer of this change. A REMOVE has
    none, so a deletion is processed without a link rather than linked to the item's creator.
    """
    stream = record.get("dynamodb")
    image = stream.get("NewImage") if isinstance(stream, Mapping) else None
    if not isinstance(image, Mapping) or ITEM_TRACE_CONTEXT not in image:
        return []
    where = f"dynamodb.new_image.{ITEM_TRACE_CONTEXT}"
    attribute = image[ITEM_TRACE_CONTEXT]
    fields = attribute.get("M") if isinstance(attribute, Mapping) else None
    if not isinstance(fields, Mapping):
        logger.warning("ignoring malformed trace context", source=where, value=repr(attribute)[:128])
        return []
    carrier = {}
    for name, header in ((TRACEPARENT, TRACEPARENT), (TRACESTATE, TRACESTATE), (ITEM_XRAY_FIELD, XRAY_HEADER)):
        if name in fields:
            value = fields[name]
            carrier[header] = value.get("S", value) if isinstance(value, Mapping) else value
    return [(where, carrier)]


def extract_record(record: Mapping[str, Any]) -> ProducerContext | None:
    """The producer's span context for one SQS, SNS, Kinesis or DynamoDB stream record, or one
    EventBridge or Step Functions event; None when it carries no valid one."""
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
    return source_name(record.get("eventSourceARN")) or "message"


def _message_id(record: Mapping[str, Any]) -> Any:
    """SQS messageId; for stream records the eventID (Kinesis: `<shard id>:<sequence number>`)."""
    return record.get("messageId") or record.get("MessageId") or record.get("eventID")


@contextmanager
def record_span(record: Mapping[str, Any], name: str | None = None) -> Iterator[trace.Span]:
    """A CONSUMER span for one record: child of the current (invocation) span, linked to its producer.

    Exceptions are recorded on the span, which gets ERROR status, and re-raised.
    """
    destination = _destination(record)
    attributes: dict[str, Any] = {"messaging.operation.type": "process", "messaging.destination.name": destination}
    message_id = _message_id(record)
    if isinstance(message_id, str):
        attributes["messaging.message.id"] = message_id
    source = record.get("eventSource")
    if isinstance(source, str) and source.startswith("aws:"):
        attributes["messaging.system"] = "aws_" + source[4:]
    if source == "aws:kinesis" and isinstance(message_id, str) and ":" in message_id:
        attributes["messaging.destination.partition.id"] = message_id.split(":", 1)[0]
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
