"""Traces and logs for the menu app, in the platform's conventions (docs/telemetry.md).

- Every log line is one JSON object with `timestamp`, `level`, `message`, `service`, `environment`,
  `request_id`, `trace_id`, `span_id` and `xray_trace_id`, the fields the Lambda handlers write, so the
  log shipper, OpenSearch and the Logs Insights queries treat container lines like handler lines.
- Each request continues the caller's X-Ray trace (`X-Amzn-Trace-Id`), with OpenTelemetry ids in the
  X-Ray format. The load balancer sends only `Root=`; the request's span then keeps that trace id,
  so the load balancer's access log and the app's lines share it.
- Spans go by OTLP to the collector sidecar (`OTEL_EXPORTER_OTLP_ENDPOINT`), which sends them to X-Ray.
- Every AWS call is a client span and carries the trace header, which is how Lambda (Invoke) and SQS
  (the message's `AWSTraceHeader`) continue the trace in the services the app calls.
"""
from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
import traceback
from typing import Any, Mapping

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.sdk.extension.aws.trace import AwsXRayIdGenerator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode

XRAY_HEADER = "X-Amzn-Trace-Id"
_ROOT = re.compile(r"(?:^|;)\s*Root=1-([0-9a-f]{8})-([0-9a-f]{24})\s*(?:;|$)")
_propagator = AwsXRayPropagator()
#: The trace id a request must keep when its header has a Root but no Parent (the load balancer's).
_forced_trace_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("forced_trace_id", default=None)
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def root_trace_id(header: str | None) -> int | None:
    """The trace id in `Root=1-<8 hex>-<24 hex>`, or None when absent or malformed."""
    match = _ROOT.search(header or "")
    return int(match.group(1) + match.group(2), 16) if match else None


def xray_trace_id(trace_id: int) -> str:
    text = f"{trace_id:032x}"
    return f"1-{text[:8]}-{text[8:]}"


class _KeepRootIdGenerator(AwsXRayIdGenerator):
    """X-Ray-style ids, except that a request started by the load balancer keeps the trace id it was given."""

    def generate_trace_id(self) -> int:
        forced = _forced_trace_id.get()
        return forced if forced is not None else super().generate_trace_id()


# ---------------------------------------------------------------- logs


class JsonFormatter(logging.Formatter):
    """One line per record with the trace and request ids; extra fields come from `extra={"fields": {...}}`."""

    def __init__(self, service: str, environment: str | None) -> None:
        super().__init__()
        self.service = service
        self.environment = environment

    def format(self, record: logging.LogRecord) -> str:
        span = trace.get_current_span().get_span_context()
        line: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "message": record.getMessage(),
            "service": self.service,
            "environment": self.environment,
            "request_id": request_id.get(),
            "trace_id": f"{span.trace_id:032x}" if span.is_valid else None,
            "span_id": f"{span.span_id:016x}" if span.is_valid else None,
            "xray_trace_id": xray_trace_id(span.trace_id) if span.is_valid else None,
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            line.update({key: value for key, value in fields.items() if key not in line})
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info))
            line["exception_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
        return json.dumps(line, default=str, separators=(",", ":"))


def configure_logging(service: str, environment: str | None, level: str) -> None:
    """Every logger (the app's, gunicorn's, botocore's) writes JSON lines to stdout, for the awslogs driver."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service, environment))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO")
    for noisy in ("botocore", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel("WARNING")


# ---------------------------------------------------------------- traces


_provider: TracerProvider | None = None


def configure_tracing(service_name: str, exporter: str) -> TracerProvider:
    """The process's tracer provider; the sampler comes from OTEL_TRACES_SAMPLER(_ARG), as the SDK reads them."""
    global _provider
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}),
                              id_generator=_KeepRootIdGenerator())
    if exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _provider = provider
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    """The app's tracer: its own provider's, whatever else in the process set the global one."""
    return (_provider or trace.get_tracer_provider()).get_tracer("cafe_menu")


class RequestSpan:
    """The server span of one request, continuing the caller's X-Ray trace; use as a context manager."""

    def __init__(self, headers: Mapping[str, str], method: str, route: str, target: str) -> None:
        header = headers.get(XRAY_HEADER)
        parent = _propagator.extract({XRAY_HEADER: header} if header else {})
        forced = None if trace.get_current_span(parent).get_span_context().is_valid else root_trace_id(header)
        self._forced = _forced_trace_id.set(forced)
        self.span = tracer().start_span(f"{method} {route}", context=parent, kind=SpanKind.SERVER,
                                        attributes={"http.request.method": method, "http.route": route,
                                                    "url.path": target})
        _forced_trace_id.reset(self._forced)
        self._token = otel_context.attach(trace.set_span_in_context(self.span))

    def finish(self, status: int, error: BaseException | None = None) -> None:
        self.span.set_attribute("http.response.status_code", status)
        if error is not None:
            self.span.record_exception(error)
        if status >= 500:
            self.span.set_status(Status(StatusCode.ERROR))
        self.span.end()
        otel_context.detach(self._token)

    def response_header(self) -> str:
        """The X-Ray header of this request's trace, returned to the caller for support requests."""
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        return carrier.get(XRAY_HEADER, "")


def trace_aws_calls(client: Any) -> Any:
    """A client span around every call of a boto3 client, and the X-Ray header on its HTTP request."""
    events = client.meta.events
    service = client.meta.service_model.service_id.hyphenize()

    def before_call(model: Any, context: dict[str, Any], **_: Any) -> None:
        span = tracer().start_span(f"{service}.{model.name}", kind=SpanKind.CLIENT,
                                   attributes={"rpc.system": "aws-api", "rpc.service": service,
                                               "rpc.method": model.name})
        context["_otel"] = (span, otel_context.attach(trace.set_span_in_context(span)))

    def before_send(request: Any, **_: Any) -> None:
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        if XRAY_HEADER in carrier:
            request.headers[XRAY_HEADER] = carrier[XRAY_HEADER]

    def after_call(context: dict[str, Any], http_response: Any = None, exception: BaseException | None = None,
                   **_: Any) -> None:
        started = context.pop("_otel", None)
        if started is None:
            return
        span, token = started
        if http_response is not None:
            span.set_attribute("http.response.status_code", http_response.status_code)
            if http_response.status_code >= 400:
                span.set_status(Status(StatusCode.ERROR))
        if exception is not None:
            span.record_exception(exception)
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        otel_context.detach(token)

    if service == "sqs":
        events.register("before-parameter-build.sqs.SendMessage", _with_sqs_trace_header)
        events.register("before-parameter-build.sqs.SendMessageBatch", _with_sqs_trace_header)
    events.register(f"before-call.{service}", before_call)
    events.register(f"before-send.{service}", before_send)
    events.register(f"after-call.{service}", after_call)
    events.register(f"after-call-error.{service}", after_call)
    return client


def _with_sqs_trace_header(params: dict[str, Any], **_: Any) -> None:
    """SQS keeps the sender's trace in the `AWSTraceHeader` system attribute, which Lambda and the
    handlers' `propagation.extract_record` read; set it explicitly, as `handlers.telemetry` does."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    if XRAY_HEADER not in carrier:
        return
    for message in params.get("Entries", [params]):
        system = message.setdefault("MessageSystemAttributes", {})
        system.setdefault("AWSTraceHeader", {"DataType": "String", "StringValue": carrier[XRAY_HEADER]})


def settings_from_environment() -> dict[str, Any]:
    """The variables the container service sets (docs/conventions.md)."""
    return {"service": os.environ.get("SERVICE_NAME") or "menu",
            "environment": os.environ.get("ENVIRONMENT") or None,
            "level": (os.environ.get("LOG_LEVEL") or "INFO").upper(),
            "otel_service": os.environ.get("OTEL_SERVICE_NAME") or os.environ.get("SERVICE_NAME") or "menu",
            "exporter": (os.environ.get("TELEMETRY_EXPORTER") or "otlp").lower()}
