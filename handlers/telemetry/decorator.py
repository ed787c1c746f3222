"""The `@instrument` decorator: one root span, correlated logs and EMF per invocation."""

from __future__ import annotations

import functools
import sys
from types import ModuleType
from typing import Any, Callable, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagators.aws import AwsXRayPropagator
from opentelemetry.trace import Link, Status, StatusCode

from handlers.telemetry import gc_tuning, lambda_event, settings, stdlib_logging, xray_patch
from handlers.telemetry.invocation_state import current
from handlers.telemetry.metrics import metrics
from handlers.telemetry.structured_logger import logger
from handlers.telemetry.own_attributes import start_span_with_own_attributes
from handlers.telemetry.tracing import DEFAULT_FLUSH_BUDGET_MS, tracing
from handlers.telemetry.xray_header import LINEAGE_KEY, LambdaTraceHeader, lineage_of, parse_lambda_form

Handler = TypeVar("Handler", bound=Callable[..., Any])
FLUSH_SAFETY_MARGIN_MS = 100  # left to Lambda after our flush, so telemetry never causes a timeout
_xray_propagator = AwsXRayPropagator()
tracing.processor.on_warning = logger.warning  # dropped-span warnings go to the JSON log


class ColdStart:
    """True for the first invocation of the process, unless provisioned concurrency pre-warmed it."""

    def __init__(self) -> None:
        self.first = True

    def take(self) -> bool:
        first, self.first = self.first, False
        return first and not settings.provisioned_concurrency()


cold_start = ColdStart()


_SAMPLED, _NOT_SAMPLED = trace.TraceFlags(trace.TraceFlags.SAMPLED), trace.TraceFlags(trace.TraceFlags.DEFAULT)
_NO_TRACE_STATE = trace.TraceState()  # immutable: one instance serves every context


def parent_context(header: str | None) -> otel_context.Context:
    """Continue the Lambda's X-Ray trace; a broken header means a new trace, not a crash."""
    if not header:
        return otel_context.Context()
    parsed = parse_lambda_form(header)
    return propagated_parent(header) if parsed is None else lambda_parent_context(parsed)


def lambda_parent(parsed: LambdaTraceHeader) -> trace.SpanContext:
    """The remote parent Lambda's own trace header names."""
    return trace.SpanContext(parsed.trace_id, parsed.parent_id, is_remote=True,
                             trace_flags=_SAMPLED if parsed.sampled else _NOT_SAMPLED, trace_state=_NO_TRACE_STATE)


def lineage_context(lineage: str | None) -> otel_context.Context:
    """An empty context, or one that carries Lambda's recursion lineage on to outgoing calls."""
    empty = otel_context.Context()
    return otel_context.set_value(LINEAGE_KEY, lineage, empty) if lineage else empty


def lambda_parent_context(parsed: LambdaTraceHeader) -> otel_context.Context:
    return trace.set_span_in_context(trace.NonRecordingSpan(lambda_parent(parsed)), lineage_context(parsed.lineage))


def propagated_parent(header: str) -> otel_context.Context:
    """The AWS propagator's reading of any header, with Lambda's lineage kept."""
    ctx = otel_context.Context()
    extracted = _xray_propagator.extract({"X-Amzn-Trace-Id": header}, ctx)
    if not trace.get_current_span(extracted).get_span_context().is_valid:
        logger.warning("ignoring malformed _X_AMZN_TRACE_ID, starting a new trace", trace_header=header[:256])
        return ctx
    lineage = lineage_of(header)
    return otel_context.set_value(LINEAGE_KEY, lineage, extracted) if lineage else extracted


def producer_links(event: Any, trigger: lambda_event.Trigger) -> list[Link]:
    """Link the invocation span to the caller's span when the event carries one.

    SNS, EventBridge and Step Functions events carry their producer's context. An HTTP client's
    W3C `traceparent` header is linked too: API Gateway continues only the X-Ray header.
    """
    if not isinstance(event, dict):
        return []
    if trigger.source == "api_gateway":
        headers = event.get("headers")
        if not isinstance(headers, dict) or not any(str(name).lower() == "traceparent" for name in headers):
            return []
        from handlers.telemetry import propagation

        return propagation.http_links(headers)
    if trigger.source not in ("sns", "eventbridge", "direct"):
        return []
    if trigger.source == "direct" and "_trace_context" not in event:
        return []  # only a Step Functions-style input carries one; spare the first call the import
    from handlers.telemetry import propagation

    return propagation.event_links(event)


def describe(event: Any, context: Any, function_name: str, is_cold: bool,
             recorded: bool = True) -> tuple[lambda_event.Trigger, str, dict[str, Any]]:
    """Trigger, span name and attributes; an event of an unexpected shape must not stop the handler.

    A span known not to be recorded (`recorded=False`) gets neither: only its trigger is used.
    """
    try:
        trigger = lambda_event.classify(event)
        if not recorded:
            return trigger, function_name, {}
        attributes = lambda_event.invocation_attributes(event, context, trigger, is_cold, settings.region())
        return trigger, lambda_event.span_name(event, trigger, function_name), attributes
    except Exception as error:
        logger.warning("event not understood by telemetry, using a generic span", error=repr(error))
        return lambda_event.DIRECT, function_name, {"faas.trigger": "other", "faas.coldstart": is_cold}


def describe_later(event: Any, context: Any, function_name: str,
                   is_cold: bool) -> tuple[lambda_event.Trigger, str, Callable[[], dict[str, Any]]]:
    """As `describe`, but the attributes are made by the function returned, when first needed.

    A lean span whose parent decides its sampling needs them only for its line, which
    `while_waiting` writes while the handler waits. Should making them fail, the span keeps the
    trigger and name it started with and gets the generic attributes.
    """
    try:
        trigger = lambda_event.classify(event)
        name = lambda_event.span_name(event, trigger, function_name)
    except Exception:
        trigger, name, generic = describe(event, context, function_name, is_cold)
        return trigger, name, lambda: generic

    def attributes() -> dict[str, Any]:
        try:
            return lambda_event.invocation_attributes(event, context, trigger, is_cold, settings.region())
        except Exception as error:
            logger.warning("event not understood by telemetry, using generic span attributes", error=repr(error))
            return {"faas.trigger": trigger.faas_trigger, "faas.coldstart": is_cold}

    return trigger, name, attributes


def flush_budget_ms() -> float:
    remaining = current.remaining_time_ms()
    if remaining is None:
        return DEFAULT_FLUSH_BUDGET_MS
    return min(remaining - FLUSH_SAFETY_MARGIN_MS, DEFAULT_FLUSH_BUDGET_MS)


def flush() -> None:
    """Write pending EMF and spans; metrics first, they are cheaper and feed alarms.

    Their lines go out in one write: Lambda's Python runtime makes stdout unbuffered (each
    write is a system call to the log pipe), and an invocation has at least two such lines.
    """
    lines: list[str] = []
    try:
        metrics.flush(into=lines)
    except Exception as error:
        logger.exception("metrics flush failed", exc=error)
    try:
        tracing.processor.flush(flush_budget_ms(), into=lines)
    except Exception as error:
        logger.exception("span flush failed", exc=error)
    try:
        if lines:
            sys.stdout.write("".join(lines))
        sys.stdout.flush()  # a block-buffered stdout would otherwise hold lines across the freeze
    except Exception:
        pass


def _start_span(service: str, event: Any, context: Any, function_name: str, is_cold: bool,
                lean: ModuleType | None) -> tuple[Any, otel_context.Context, lambda_event.Trigger]:
    """(the invocation span, the context to make current, the trigger).

    `lean` is the `lean_span` module, for the handlers that ask for lean spans. A lean span under
    Lambda's own trace header, whose sampled flag decides (the usual case), is started from the
    parsed header alone: no context is built for the parent, only the one made current; and
    when spans go nowhere (TELEMETRY_EXPORTER=none), the span is its ids and nothing else.
    Anything else goes through the parent's context, as the SDK would.
    """
    header = settings.lambda_trace_header()
    tracer = tracing.tracer(service)
    lambda_form = parse_lambda_form(header) if header else None
    decided = lean.remote_decision(tracer, lambda_form.sampled) if lean is not None and lambda_form is not None else None
    parent: otel_context.Context | None = None
    if decided is None:
        parent = lambda_parent_context(lambda_form) if lambda_form is not None else parent_context(header)
        decided = lean.remote_parent_decides(tracer, parent) if lean is not None else None
    elif lean is not None and lambda_form is not None and tracing.processor.exporter is None:
        # No exporter: no name, attributes or links would be written anywhere (nor the HTTP
        # status, hence the generic trigger), only the ids the logs and outgoing calls carry.
        ids = trace.NonRecordingSpan(lean.decided_span_context(tracer, lambda_parent(lambda_form), decided))
        return ids, trace.set_span_in_context(ids, lineage_context(lambda_form.lineage)), lambda_event.DIRECT
    attributes: Any
    if decided:
        trigger, name, attributes = describe_later(event, context, function_name, is_cold)
    else:
        trigger, name, attributes = describe(event, context, function_name, is_cold, recorded=decided is not False)
    try:
        links = producer_links(event, trigger)
    except Exception:  # extraction already logs; links are a nicety
        links = []
    span: Any
    if lean is not None and not links:
        if parent is None and lambda_form is not None:  # decided by the header's flag
            span = lean.start_decided(tracer, tracing.processor, name, trigger.kind, lambda_parent(lambda_form),
                                      attributes, tracing.limits(service), bool(decided))
            base, current_span = lineage_context(lambda_form.lineage), trace.NonRecordingSpan(span.context)
        else:
            span, current_span = lean.start_lean_span(tracer, tracing.processor, name, parent, trigger.kind,
                                                      attributes, tracing.limits(service), decided)
            base = parent
        if tracing.processor.exporter is not None:  # with TELEMETRY_EXPORTER=none there is no line to prepare
            current.idle_task = span.prepare
    else:
        if parent is None and lambda_form is not None:
            parent = lambda_parent_context(lambda_form)
        if callable(attributes):
            attributes = attributes()
        span = current_span = start_span_with_own_attributes(tracer, name, parent, trigger.kind, attributes, links)
        base = parent
    return span, trace.set_span_in_context(current_span, base), trigger


def _invoke(handler: Callable[..., Any], service: str, event: Any, context: Any, args: tuple, kwargs: dict,
            lean: ModuleType | None = None) -> Any:
    is_cold = cold_start.take()
    if is_cold:
        logger.reload_level()
    xray_patch.patch_if_loaded()
    current.begin(service, getattr(context, "aws_request_id", None), is_cold, context)
    function_name = getattr(context, "function_name", None) or getattr(handler, "__qualname__", "handler")
    span, invocation_context, trigger = _start_span(service, event, context, function_name, is_cold, lean)
    token = otel_context.attach(invocation_context)
    try:
        result = handler(event, context, *args, **kwargs)
    except BaseException as error:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
        logger.exception("invocation failed", exc=error)
        raise
    else:
        status = lambda_event.http_status(result) if trigger.source == "api_gateway" else None
        if status is not None:
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
        return result
    finally:
        span.end()
        otel_context.detach(token)
        flush()
        current.end()


def _lean_span_module() -> ModuleType:
    """Imported only by the handlers that ask for lean spans, in their init phase."""
    from handlers.telemetry import lean_span

    return lean_span


@overload
def instrument(handler: Handler) -> Handler: ...


@overload
def instrument(handler: None = None, *, service: str | None = None, lean_span: bool = False) -> Callable[[Handler], Handler]: ...


def instrument(handler: Handler | None = None, *, service: str | None = None, lean_span: bool = False) -> Any:
    """Decorate a Lambda handler; usable bare (`@instrument`) or with `service=`.

    `lean_span=True` is for a handler that never touches its invocation span (see `lean_span`):
    the span is written as usual, at a fraction of the cost, but what the handler sets on
    `trace.get_current_span()` is not recorded.
    """

    def decorate(function: Handler) -> Handler:
        service_name = service or settings.service_name()
        tracing.provider(service_name)  # build it at import, in Lambda's init phase
        xray_patch.enable()
        stdlib_logging.enable()
        lean = _lean_span_module() if lean_span else None
        gc_tuning.freeze_init_heap()  # the SDK's objects live as long as the process too

        @functools.wraps(function)
        def wrapper(event: Any, context: Any = None, *args: Any, **kwargs: Any) -> Any:
            return _invoke(function, service_name, event, context, args, kwargs, lean)

        return wrapper  # type: ignore[return-value]

    return decorate(handler) if handler is not None else decorate
