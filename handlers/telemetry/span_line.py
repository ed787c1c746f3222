"""A finished span as its JSON line, written without building the document first.

`span_document` is the definition of the shape; this module writes exactly the text
`json.dumps(span_document(span, group), default=json_default, separators=(",", ":"))` would,
for about a third of the instructions. Every invocation writes at least one span line, and
building and encoding the dict was a fifth of the telemetry an invocation pays for (see
benchmarks/README.md, "Log shipper"). What makes it cheaper:

- the resource attributes and the instrumentation scope are the same for every span of a
  process: they are encoded once per resource or scope object and spliced in;
- attribute keys are encoded once each (`"span.attributes.faas@name":`);
- ids, times and counts are hex digits, ISO dates and integers: they need no escaping.

Anything unusual (events, links, attribute keys that could collide once `.` becomes `@`,
values that are not str, bool or int) is encoded by `json.dumps` itself, so the text stays
byte for byte what the document encodes to. A hypothesis property in
tests/handlers/telemetry/test_span_line.py checks that over generated spans.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from handlers.telemetry.span_document import (RECORD_TYPE_KEY, SPAN_KIND_NAMES, SPAN_RECORD_TYPE, attribute_field,
                                              iso_nanos, local_roots, plain_value, span_document)
from handlers.telemetry.structured_logger import json_default

_encode_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_INFINITY = float("inf")
MAX_CACHED_KEYS = 1024  # attribute keys are written in code, but a handler could make them up per call


def encode(value: Any) -> str:
    """As `json.dumps` writes the value (ASCII, compact), with the package's fallback for odd types."""
    return json.dumps(value, default=json_default, separators=(",", ":"))


def _scalar(value: Any) -> str | None:
    """The JSON of a str, bool, int or float attribute value, or None for anything else."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value:
            return "NaN"  # what json.dumps writes (allow_nan), so the text stays identical
        if value in (_INFINITY, -_INFINITY):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


class _Fragments:
    """Encoded pieces that repeat from span to span, each computed once."""

    def __init__(self) -> None:
        # key -> [`,"span.attributes.<key with @>":` or None, last str value, its JSON]. None marks a
        # key holding `@`, which could collide with another once dots become `@` (the document
        # keeps one of them; the general encoder decides which). Most string values (function
        # name, ARN, region) repeat every invocation, and escaping is most of a value's cost.
        self.keys: dict[str, list[Any]] = {}
        self.resource: tuple[Any, str, str] = (None, "", "")
        self.scope: tuple[Any, str] = (None, "")

    def key_entry(self, key: Any) -> list[Any]:
        if len(self.keys) >= MAX_CACHED_KEYS:
            self.keys.clear()
        usable = type(key) is str and "@" not in key
        entry = [f',{_encode_string("span.attributes." + attribute_field(key))}:' if usable else None, None, ""]
        if type(key) is str:
            self.keys[key] = entry
        return entry

    def resource_of(self, attributes: Any) -> tuple[str, str]:
        """(`serviceName` value, `,"resource.attributes.…":…` fields) for the process's resource."""
        cached = self.resource
        if cached[0] is not attributes:
            fields = {f"resource.attributes.{attribute_field(key)}": plain_value(value) for key, value in (attributes or {}).items()}
            service = encode((attributes or {}).get("service.name", ""))
            cached = self.resource = (attributes, service, "," + encode(fields)[1:-1] if fields else "")
        return cached[1], cached[2]

    def scope_of(self, scope: Any) -> str:
        cached = self.scope
        if cached[0] is not scope:
            cached = self.scope = (scope, "" if scope is None else "," + encode(
                {"instrumentationScope.name": scope.name, "instrumentationScope.version": scope.version or ""})[1:-1])
        return cached[1]


_fragments = _Fragments()


def _attributes(attributes: Any) -> str | None:
    """The `span.attributes.*` fields, or None when one of them needs the general encoder."""
    if not attributes:
        return ""
    try:
        # A finished SDK span's attributes are a read-only view of a `BoundedAttributes`, whose
        # `items()` is written in Python; its `copy()` is a plain dict, copied in C.
        attributes = attributes.copy()
    except AttributeError:
        attributes = dict(attributes)
    parts = []
    known = _fragments.keys
    for key, value in attributes.items():
        entry = known.get(key) or _fragments.key_entry(key)
        if entry[0] is None:
            return None
        if type(value) is str:
            if value != entry[1]:
                entry[1], entry[2] = value, _encode_string(value)
            text = entry[2]
        else:
            text = _scalar(value)
            if text is None:
                return None
        parts.append(entry[0])
        parts.append(text)
    return "".join(parts)


# Everything but the attributes, the scope and the resource, in the order of `span_document`.
# %-formatting, because `f"{id:016x}"` and `f"{n:09d}"` cost several times as much. The seven
# fields that only the span's end decides (end times, durations, status) are all `%s`, so that
# `open_line` can leave them as slots.
_TEMPLATE = ('{"%s":"%s","traceId":"%%032x","spanId":"%%016x","parentSpanId":"%%s","traceState":%%s,"name":%%s,'
             '"kind":"%%s","startTime":"%%s","endTime":"%%s","durationInNanos":%%s,"serviceName":%%s,"status.code":%%s,'
             '"status.message":%%s,"traceGroup":%%s,"traceGroupFields":{"endTime":"%%s","durationInNanos":%%s,'
             '"statusCode":%%s},"events":[],"links":[],"droppedAttributesCount":%%d,"droppedEventsCount":%%d,'
             '"droppedLinksCount":%%d%%s%%s%%s}') % (RECORD_TYPE_KEY, SPAN_RECORD_TYPE)
# A JSON line holds no raw NUL (strings escape it), so it marks the open slots unambiguously.
_OPEN_SLOT = "\x00"
_OPEN_SLOTS = (_OPEN_SLOT,) * 7


def _end_fields(span: Any, group: Any) -> tuple[Any, ...]:
    """The seven values `_TEMPLATE` takes from the span's end, in their order."""
    end_nanos = span.end_time
    end_time = iso_nanos(end_nanos)
    status = span.status
    return (end_time, end_nanos - span.start_time, status.status_code._value_,
            encode(status.description) if status.description else '""',
            end_time if group is span else iso_nanos(group.end_time), group.end_time - group.start_time,
            group.status.status_code._value_)


def _render(span: Any, group: Any, end_fields: tuple[Any, ...]) -> str | None:
    """The line from `_TEMPLATE`, or None when it needs the general encoder."""
    attributes = _attributes(span.attributes)
    if attributes is None or span.events or span.links or type(span.name) is not str or type(group.name) is not str:
        return None
    context = span.context
    parent = span.parent
    resource_attributes = getattr(getattr(span, "resource", None), "attributes", None)
    service, resource = _fragments.resource_of(resource_attributes)
    trace_state = context.trace_state
    end_time, duration, status_code, status_message, group_end_time, group_duration, group_status = end_fields
    return _TEMPLATE % (
        context.trace_id, context.span_id, "%016x" % parent.span_id if parent is not None else "",
        _encode_string(trace_state.to_header()) if trace_state else '""',
        _encode_string(span.name), SPAN_KIND_NAMES[span.kind._value_],  # `_value_`: Enum's `value` is a slow descriptor
        iso_nanos(span.start_time), end_time, duration, service, status_code, status_message,
        _encode_string(group.name), group_end_time, group_duration, group_status,
        int(getattr(span, "dropped_attributes", 0) or 0), int(getattr(span, "dropped_events", 0) or 0),
        int(getattr(span, "dropped_links", 0) or 0),
        _fragments.scope_of(getattr(span, "instrumentation_scope", None)), attributes, resource,
    )


def span_line(span: Any, trace_group: Any | None = None) -> str:
    """The span's JSON line (without the newline); see the module docstring for why it exists."""
    group = trace_group if trace_group is not None else span
    if not span.end_time or not group.end_time:
        return encode(span_document(span, group))
    pieces = getattr(span, "open_line", None)
    if pieces is not None and group is span:
        a, b, c, d, e, f, g, h = pieces
        end_time, duration, code, message, group_end_time, group_duration, group_code = _end_fields(span, span)
        return f"{a}{end_time}{b}{duration}{c}{code}{d}{message}{e}{group_end_time}{f}{group_duration}{g}{group_code}{h}"
    line = _render(span, group, _end_fields(span, group))
    return line if line is not None else encode(span_document(span, group))


def open_line(span: Any) -> tuple[str, ...] | None:
    """The line of a span that has not ended yet, cut where `_end_fields` of the span as its own
    trace group go: eight pieces around seven slots. None when only the general encoder can
    write it.

    A handler that waits on I/O can have this written meanwhile (`LeanSpan.prepare`), which
    leaves only the slots to fill once the span ends.
    """
    line = _render(span, span, _OPEN_SLOTS)
    pieces = None if line is None else tuple(line.split(_OPEN_SLOT))
    return pieces if pieces is not None and len(pieces) == len(_OPEN_SLOTS) + 1 else None


def span_lines(spans: Sequence[Any]) -> list[str]:
    """One line per span, each with its invocation's trace group (see `local_roots`)."""
    if len(spans) == 1:
        return [span_line(spans[0])]
    roots = local_roots(spans)
    return [span_line(span, roots[span.context.span_id]) for span in spans]
