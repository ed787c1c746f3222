"""Starting a span with the platform's own attributes gives the span the SDK would have made."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opentelemetry import trace
from opentelemetry.sdk.trace import SpanLimits, TracerProvider, sampling
from opentelemetry.trace import SpanKind

from handlers.telemetry.own_attributes import start_span_with_own_attributes

values = st.one_of(st.text(max_size=12), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.none(), st.lists(st.text(max_size=3), max_size=2), st.binary(max_size=3))
attribute_maps = st.dictionaries(st.one_of(st.text(max_size=6), st.just("")), values, max_size=8)
samplers = st.sampled_from([
    sampling.DEFAULT_ON, sampling.ALWAYS_ON, sampling.ALWAYS_OFF, sampling.DEFAULT_OFF, sampling.TraceIdRatioBased(0.5),
    sampling.ParentBasedTraceIdRatio(0.5), sampling.AlwaysRecordSampler(sampling.ALWAYS_OFF),
])
limits = st.builds(lambda count, length: SpanLimits(max_span_attributes=count, max_span_attribute_length=length),
                   st.one_of(st.none(), st.integers(min_value=0, max_value=6)), st.one_of(st.none(), st.integers(min_value=0, max_value=8)))
parents = st.sampled_from([None, trace.TraceFlags.SAMPLED, trace.TraceFlags.DEFAULT])


def observed(span: trace.Span) -> tuple:
    if not span.is_recording():
        return (False,)
    return True, list(span.attributes.items()), span.dropped_attributes, span.name, span.kind


@settings(max_examples=300, deadline=None)
@given(attributes=attribute_maps, sampler=samplers, span_limits=limits, parent_flags=parents)
def test_the_span_is_the_one_the_sdk_makes(attributes, sampler, span_limits, parent_flags):
    tracer = TracerProvider(sampler=sampler, span_limits=span_limits).get_tracer("t")
    context = None
    if parent_flags is not None:
        remote = trace.SpanContext(0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8, is_remote=True,
                                   trace_flags=trace.TraceFlags(parent_flags))
        context = trace.set_span_in_context(trace.NonRecordingSpan(remote))
    expected = tracer.start_span("invocation", context=context, kind=SpanKind.SERVER, attributes=dict(attributes))
    made = start_span_with_own_attributes(tracer, "invocation", context, SpanKind.SERVER, dict(attributes))
    if parent_flags is None and isinstance(sampler, sampling.TraceIdRatioBased | sampling.ParentBasedTraceIdRatio):
        return  # a root span's sampling by ratio depends on its fresh random trace id
    assert observed(made) == observed(expected)
    for span in (made, expected):
        span.set_attribute("later", 1)  # still a live span, with the same limits
        span.set_attribute(next(iter(attributes), "other"), "again")
    assert observed(made) == observed(expected)


def test_the_platforms_attributes_skip_the_sdks_cleaning(monkeypatch):
    """The point of it: the SDK's per-value cleaning is not run for an invocation span's attributes."""
    import opentelemetry.attributes as otel_attributes

    tracer = TracerProvider().get_tracer("t")
    calls = []
    original = otel_attributes._clean_attribute_value
    monkeypatch.setattr(otel_attributes, "_clean_attribute_value", lambda *args: calls.append(args) or original(*args))
    span = start_span_with_own_attributes(tracer, "GET /", None, SpanKind.SERVER,
                                          {"faas.name": "f", "faas.coldstart": True, "messaging.batch.message_count": 3})
    assert calls == []
    assert dict(span.attributes) == {"faas.name": "f", "faas.coldstart": True, "messaging.batch.message_count": 3}


@pytest.mark.parametrize("attributes", [{"bytes": b"x"}, {"": "empty key"}, {"list": ["a"]}])
def test_anything_else_goes_through_the_sdk(attributes):
    tracer = TracerProvider().get_tracer("t")
    made = start_span_with_own_attributes(tracer, "s", None, SpanKind.INTERNAL, dict(attributes))
    expected = tracer.start_span("s", attributes=dict(attributes))
    assert observed(made) == observed(expected)
