"""Span attributes the platform builds itself, put on a span without the SDK checking them again.

The SDK cleans every attribute value through a few Python calls and a lock. For the dozen
attributes of an invocation span (all strings, booleans and integers the decorator made) that
was a third of starting the span, for nothing: the cleaning keeps such values unchanged. Here
they go straight into the span's attribute map when the cleaning provably would keep them
(plain values, non-empty string keys, within the span's limits) and the map is a fresh,
empty `BoundedAttributes`; anything else goes through the SDK. Tests in
tests/handlers/telemetry/test_own_attributes.py compare both ways over generated attributes,
samplers and limits.
"""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import sampling

_PLAIN_VALUE_TYPES = frozenset((str, bool, int, float))


def put_unchecked(store: Any, attributes: dict[str, Any]) -> bool:
    """Fill `store` (a new span's empty `BoundedAttributes`) with `attributes` as they are, when
    the SDK's cleaning would keep every one unchanged; False, with nothing done, otherwise."""
    own = getattr(store, "_dict", None)
    if type(store) is not BoundedAttributes or type(own) is not dict or own or store._immutable:
        return False  # an SDK that keeps attributes differently: let it do its own work
    if store.maxlen is not None and len(attributes) > store.maxlen:
        return False
    longest = store.max_value_len
    for key, value in attributes.items():
        kind = type(value)
        if type(key) is not str or not key or kind not in _PLAIN_VALUE_TYPES:
            return False
        if longest is not None and kind is str and len(value) > longest:
            return False
    own.update(attributes)
    return True


def sampler_ignores_attributes(tracer: Any) -> bool:
    """The SDK's own samplers (what OTEL_TRACES_SAMPLER can name, apart from plug-ins) decide
    without looking at attributes and pass them through unchanged. AlwaysRecordSampler is the
    exception: it records dropped spans without their attributes."""
    sampler = getattr(tracer, "sampler", None)
    return type(sampler).__module__ == sampling.__name__ and not isinstance(sampler, sampling.AlwaysRecordSampler)


def start_span_with_own_attributes(tracer: trace.Tracer, name: str, context: Any, kind: trace.SpanKind,
                                   attributes: dict[str, Any], links: Any = ()) -> trace.Span:
    """`tracer.start_span(name, context, kind, attributes, links)`, without the attribute cleaning
    where it would change nothing (see the module docstring)."""
    if not sampler_ignores_attributes(tracer):
        return tracer.start_span(name, context=context, kind=kind, attributes=attributes, links=links)
    span = tracer.start_span(name, context=context, kind=kind, links=links)
    if not put_unchecked(getattr(span, "_attributes", None), attributes) and span.is_recording():
        span.set_attributes(attributes)
    return span
