"""The invocation span of a handler that never touches it, recorded without the SDK's span objects.

`@instrument(lean_span=True)` is for handlers whose invocation span only describes the
invocation: the log shipper, whose every invocation is a routine batch. Starting an SDK span
(sampler, ids, attribute map, event and link lists, locks, processors) and ending it (a second,
read-only copy) is the larger part of what `@instrument` costs such a handler: about 30 µs of
a 10-event shipment (benchmarks/README.md, "Log shipper").

Here the span is a few plain fields. The sampling decision, ids and trace flags are worked out
as the SDK's tracer works them out (same sampler, same id generator), so the span line is the
one an SDK span would have given; a test compares the two, field by field, for plain and for
failing invocations. Inside the handler the current span is a non-recording span with the
invocation span's ids: log lines, child spans and propagated context carry them as usual, but
what the handler sets on it is not recorded. That is the one difference, and why this is a
choice per handler rather than the default.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from opentelemetry import trace
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, ParentBasedTraceIdRatio
from opentelemetry.sdk.util.instrumentation import InstrumentationInfo, InstrumentationScope
from opentelemetry.trace import Status, StatusCode

from handlers.telemetry.log_span_exporter import LogLineSpanExporter
from handlers.telemetry.own_attributes import put_unchecked
from handlers.telemetry.span_line import open_line
from handlers.telemetry.tracing import INSTRUMENTATION_NAME

_UNSET = Status(StatusCode.UNSET)
_SCOPE = InstrumentationScope(INSTRUMENTATION_NAME)
_INFO = InstrumentationInfo(INSTRUMENTATION_NAME)
_event_maker: list[Any] = []  # a tracer that records nothing, made on the first failure


def _exception_event(error: BaseException, timestamp: int | None = None) -> Any:
    """The event the SDK's `Span.record_exception` adds, made by the SDK itself."""
    if not _event_maker:
        _event_maker.append(TracerProvider(sampler=ALWAYS_ON, shutdown_on_exit=False).get_tracer(INSTRUMENTATION_NAME))
    scratch = _event_maker[0].start_span("exception")
    scratch.record_exception(error, timestamp=timestamp)
    return scratch.events[0]


class LeanSpan:
    """What `instrument` does with an invocation span, on plain fields: set attributes the
    decorator derives (the HTTP status), record an exception, set the status, end.

    Once ended it reads like the SDK's `ReadableSpan` as far as the span line writer goes
    (name, context, parent, kind, attributes, events, links, status, times, resource, scope,
    dropped counts), so the log-line exporter takes it as it is; any other exporter gets a
    real `ReadableSpan`.
    """

    __slots__ = ("_processor", "name", "kind", "parent", "context", "_attributes", "_attribute_source", "start_time",
                 "end_time", "status", "events", "resource", "_recording", "open_line")
    links = ()
    instrumentation_scope = _SCOPE
    instrumentation_info = _INFO
    dropped_events = 0
    dropped_links = 0

    def __init__(self, tracer: Any, processor: Any, name: str, kind: trace.SpanKind, parent: trace.SpanContext | None,
                 context: trace.SpanContext, attributes: BoundedAttributes | Callable[[], BoundedAttributes],
                 recording: bool) -> None:
        """`attributes` may be a function that makes them, called when they are first needed."""
        self._processor = processor
        self.name = name
        self.kind = kind
        self.parent = parent
        self.context = context
        if isinstance(attributes, BoundedAttributes):
            self._attributes: BoundedAttributes | None = attributes
            self._attribute_source: Callable[[], BoundedAttributes] | None = None
        else:
            self._attributes, self._attribute_source = None, attributes
        self.resource = tracer.resource
        self._recording = recording
        self.start_time = time.time_ns()
        self.end_time: int | None = None
        self.status = _UNSET
        self.events: tuple[Any, ...] = ()
        self.open_line: tuple[str, ...] | None = None  # see `prepare`

    def prepare(self) -> None:
        """Write the span line but for its end (`span_line.open_line`), while the handler waits
        on I/O (`handlers.telemetry.while_waiting`): the end then only fills the slots, and a
        10-event invocation of the log shipper lasts about 10 µs less. Anything that changes the
        line other than the end and the status drops what was prepared."""
        if self._recording and self.end_time is None and self.open_line is None:
            self.open_line = open_line(self)

    @property
    def attributes(self) -> BoundedAttributes:
        store = self._attributes
        if store is None:
            store = self._attributes = self._attribute_source()  # type: ignore[misc]
            self._attribute_source = None
        return store

    @property
    def dropped_attributes(self) -> int:
        return self.attributes.dropped

    def set_attribute(self, key: str, value: Any) -> None:
        self.attributes[key] = value  # the SDK's own map: its cleaning and limits apply
        self.open_line = None

    def record_exception(self, error: BaseException) -> None:
        self.events += (_exception_event(error),)
        self.open_line = None

    def set_status(self, status: Status) -> None:
        if self.status.status_code is StatusCode.OK or status.status_code is StatusCode.UNSET:
            return  # as the SDK: an OK status is final, and UNSET changes nothing
        self.status = status

    def end(self) -> None:
        """Hand the finished span to the span processor, as the SDK's span does when it ends."""
        if self.end_time is not None or not self._recording:
            return
        self.end_time = time.time_ns()
        processor = self._processor
        exporter = getattr(processor, "exporter", ...)  # `...`: a processor of another kind
        if type(exporter) is LogLineSpanExporter:
            processor.on_end(self)
        elif exporter is not None:  # None with TELEMETRY_EXPORTER=none: there is nothing to hand over
            processor.on_end(self.readable())

    def readable(self) -> ReadableSpan:
        return ReadableSpan(
            name=self.name, context=self.context, parent=self.parent, resource=self.resource,
            attributes=self.attributes, events=self.events, links=(), kind=self.kind,
            instrumentation_info=_INFO, status=self.status, start_time=self.start_time, end_time=self.end_time,
            instrumentation_scope=_SCOPE)


# ParentBased's own types only: a subclass may decide otherwise.
_PARENT_BASED_TYPES = (ParentBased, ParentBasedTraceIdRatio)


def remote_parent_decides(tracer: Any, parent_context: Any) -> bool | None:
    """Whether the tracer's sampler will record a span under this parent, when the parent alone
    decides (`remote_decision`); None when the sampler has to be asked."""
    parent = trace.get_current_span(parent_context).get_span_context()
    if not parent.is_valid or not parent.is_remote:
        return None
    return remote_decision(tracer, parent.trace_flags.sampled)


def remote_decision(tracer: Any, sampled: bool) -> bool | None:
    """Whether the tracer's sampler will record a span under a remote parent whose sampled flag
    is `sampled`, when that flag alone decides: the SDK's `ParentBased` hands a remote parent
    (Lambda's trace header) to its remote delegates, which are ALWAYS_ON and ALWAYS_OFF unless a
    program set others, and those look at nothing else. None when the sampler has to be asked.

    Lambda samples about one request a second and 5 % of the rest, so most invocations are
    not recorded; knowing it before the span starts spares them the span's attributes.
    """
    sampler = getattr(tracer, "sampler", None)
    if type(sampler) not in _PARENT_BASED_TYPES:
        return None
    delegate = sampler._remote_parent_sampled if sampled else sampler._remote_parent_not_sampled
    return True if delegate is ALWAYS_ON else False if delegate is ALWAYS_OFF else None


def start_lean_span(tracer: Any, processor: Any, name: str, parent_context: Any, kind: trace.SpanKind,
                    attributes: dict[str, Any] | Callable[[], dict[str, Any]], limits: SpanLimits,
                    decided: bool | None = None) -> tuple[LeanSpan, trace.Span]:
    """(the lean span, the non-recording span to make current).

    The trace id, span id, sampling decision, trace flags, trace state and attributes come out
    as in the SDK tracer's `start_span`, from the same sampler, id generator and limits. Spans
    with links are not made here: the SDK validates links one by one (the caller checks).
    `decided` is `remote_parent_decides(tracer, parent_context)`, when the caller already knows
    it; the sampler then is not asked, as its answer is known: the parent's trace state, and
    the attributes when recorded. Only then may `attributes` be a function that makes them:
    they are made when first needed, which for the invocation span is when its line is written,
    while the handler waits (`prepare`) or at its end.
    """
    parent = trace.get_current_span(parent_context).get_span_context()
    if not parent.is_valid:
        parent = None
    if decided is not None and parent is not None:
        span = start_decided(tracer, processor, name, kind, parent, attributes, limits, decided)
        return span, trace.NonRecordingSpan(span.context)
    if callable(attributes):
        attributes = attributes()
    generator = tracer.id_generator
    trace_id = parent.trace_id if parent is not None else generator.generate_trace_id()
    decision = tracer.sampler.should_sample(parent_context, trace_id, name, kind, attributes, ())
    sampled = decision.decision.is_sampled()
    random_trace_id = parent.trace_flags.random_trace_id if parent is not None else generator.is_trace_id_random()
    context = _span_context(tracer, trace_id, sampled, random_trace_id, decision.trace_state)
    span = _lean_span(tracer, processor, name, kind, parent, context, decision.attributes, limits,
                      decision.decision.is_recording())
    return span, trace.NonRecordingSpan(span.context)


def start_decided(tracer: Any, processor: Any, name: str, kind: trace.SpanKind, parent: trace.SpanContext,
                  attributes: dict[str, Any] | Callable[[], dict[str, Any]], limits: SpanLimits,
                  decided: bool) -> LeanSpan:
    """The lean span under a remote `parent` whose sampling decision `decided` is already known
    (`remote_decision`): the sampler is not asked, as its answer is known (the parent's trace
    state, and the attributes when recorded). The decorator calls this directly under Lambda's
    own trace header, with no OpenTelemetry context built for the parent."""
    return _lean_span(tracer, processor, name, kind, parent, decided_span_context(tracer, parent, decided),
                      attributes if decided else None, limits, decided)


def decided_span_context(tracer: Any, parent: trace.SpanContext, decided: bool) -> trace.SpanContext:
    """The ids and flags of `start_decided`'s span. A handler whose spans go nowhere
    (TELEMETRY_EXPORTER=none) needs no more of its invocation span than these: its log lines and
    the calls it makes carry them."""
    return _span_context(tracer, parent.trace_id, decided, parent.trace_flags.random_trace_id, parent.trace_state)


def _span_context(tracer: Any, trace_id: int, sampled: bool, random_trace_id: bool, trace_state: Any) -> trace.SpanContext:
    flags = trace.TraceFlags.SAMPLED if sampled else trace.TraceFlags.DEFAULT
    if random_trace_id:
        flags |= trace.TraceFlags.RANDOM_TRACE_ID
    return trace.SpanContext(trace_id, tracer.id_generator.generate_span_id(), is_remote=False,
                             trace_flags=trace.TraceFlags(flags), trace_state=trace_state)


def _lean_span(tracer: Any, processor: Any, name: str, kind: trace.SpanKind, parent: trace.SpanContext | None,
               context: trace.SpanContext, kept: Any, limits: SpanLimits, recording: bool) -> LeanSpan:
    # Made when first needed: by the line, or by a set_attribute an unrecorded span mostly never sees.
    store = lambda: _attribute_store(kept() if callable(kept) else kept, limits)  # noqa: E731
    return LeanSpan(tracer, processor, name, kind, parent, context, store, recording)


def _attribute_store(attributes: Any, limits: SpanLimits) -> BoundedAttributes:
    """The span's attribute map, as the SDK's span would hold these attributes."""
    store = BoundedAttributes(limits.max_span_attributes, None, immutable=False,
                              max_value_len=limits.max_span_attribute_length)
    if attributes:
        copied = dict(attributes)
        if not put_unchecked(store, copied):
            store = BoundedAttributes(limits.max_span_attributes, copied, immutable=False,
                                      max_value_len=limits.max_span_attribute_length)
    return store
