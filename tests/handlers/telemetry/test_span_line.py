"""The fast span line writer writes exactly what the span document encodes to."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, TraceState

from handlers.telemetry import span_line as span_line_module
from handlers.telemetry.span_document import span_document
from handlers.telemetry.span_line import MAX_CACHED_KEYS, span_line, span_lines
from handlers.telemetry.structured_logger import json_default

scalars = st.one_of(
    st.text(max_size=20),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
# Mostly what the fast path writes itself; sequences (written by json.dumps) now and then.
values = st.one_of(scalars, scalars, scalars, st.lists(st.text(max_size=5), max_size=3), st.lists(st.integers(), max_size=3))
# Keys with dots and at-signs, so that flattened keys can collide ("a.b" and "a@b").
keys = st.one_of(st.text(alphabet="ab.é_", min_size=1, max_size=6), st.text(alphabet="ab.@", min_size=1, max_size=4))
attribute_maps = st.dictionaries(keys, values, max_size=6)
names = st.text(max_size=30)


def reference(span, group=None) -> str:
    return json.dumps(span_document(span, group), default=json_default, separators=(",", ":"))


span_specs = st.lists(
    st.tuples(
        names,
        st.sampled_from(list(SpanKind)),
        attribute_maps,
        st.one_of(st.none(), st.just(Status(StatusCode.OK)), st.builds(Status, st.just(StatusCode.ERROR), st.one_of(st.none(), st.text(max_size=10)))),
        st.one_of(st.just([]), st.just([]), st.lists(st.tuples(st.text(max_size=5), attribute_maps), max_size=2)),
        st.one_of(st.just([]), st.just([]), st.lists(attribute_maps, max_size=2)),
        st.one_of(st.none(), st.just(TraceState([("vendor", 'a"b\\c')]))),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, scalars, max_size=4), span_specs)
def test_span_lines_are_exactly_the_encoded_documents(resource_attributes, specs):
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": "orders", **resource_attributes}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests.span_line", "1.2.3")
    context = None
    open_spans = []
    for name, kind, attributes, status, events, links, trace_state in specs:
        if trace_state is not None and context is None:
            remote = trace.SpanContext(0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, is_remote=True,
                                       trace_flags=trace.TraceFlags(1), trace_state=trace_state)
            context = trace.set_span_in_context(trace.NonRecordingSpan(remote))
        span = tracer.start_span(name, context=context, kind=kind, attributes=attributes,
                                 links=[Link(trace.SpanContext(0xABC, 0xDEF, is_remote=True), attrs) for attrs in links])
        for event_name, event_attributes in events:
            span.add_event(event_name, event_attributes)
        if status is not None:
            span.set_status(status)
        open_spans.append(span)
        context = trace.set_span_in_context(span)
    for span in reversed(open_spans):
        span.end()
    finished = list(exporter.get_finished_spans())
    lines = span_lines(finished)
    groups = {span.context.span_id: finished[-1] for span in finished}  # the outermost span ends last
    assert lines == [reference(span, groups[span.context.span_id]) for span in finished]
    for span in finished:
        assert span_line(span) == reference(span)


def test_an_invocation_span_takes_the_fast_path(monkeypatch):
    """The common case must not fall back to building the document."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": "orders"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    span = provider.get_tracer("t").start_span("GET /orders", kind=SpanKind.SERVER,
                                               attributes={"faas.name": "f", "faas.coldstart": False, "n": 3, "x": 0.5})
    span.end()
    (finished,) = exporter.get_finished_spans()
    expected = reference(finished)
    monkeypatch.setattr(span_line_module, "span_document", lambda *args: (_ for _ in ()).throw(AssertionError("slow path")))
    assert span_line(finished) == expected


def test_the_key_cache_is_bounded_and_stays_right():
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource({"service.name": "orders"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("t")
    for index in range(MAX_CACHED_KEYS + 10):
        span = tracer.start_span("s", attributes={f"key.{index}": index})
        span.end()
    finished = exporter.get_finished_spans()
    assert len(span_line_module._fragments.keys) <= MAX_CACHED_KEYS
    assert all(span_line(span) == reference(span) for span in finished)


statuses = st.one_of(st.just(Status(StatusCode.OK)),
                     st.builds(Status, st.just(StatusCode.ERROR), st.one_of(st.none(), st.text(max_size=10))))


@settings(max_examples=150, deadline=None)
@given(names, attribute_maps, st.one_of(st.none(), statuses), st.booleans())
def test_a_line_prepared_before_the_span_ends_is_the_line_written_after_it(name, attributes, status, changed_later):
    """`LeanSpan.prepare` writes the line while the handler waits; what the end decides (times,
    status) goes into its slots, and anything else that changes later drops what was prepared."""
    from opentelemetry.sdk.trace import SpanLimits

    from handlers.telemetry.lean_span import start_lean_span

    tracer = TracerProvider(resource=Resource({"service.name": "orders %s"})).get_tracer("tests.span_line")
    span, _ = start_lean_span(tracer, None, name, None, SpanKind.SERVER, attributes, SpanLimits())
    span.prepare()
    if changed_later:
        span.set_attribute("late", "100% \x00")
    if status is not None:
        span.set_status(status)
    span.end_time = span.start_time + 123_456_789  # what `end` sets, without a processor to hand it to
    written = span_line(span)
    span.open_line = None
    assert written == span_line(span) == reference(span)
