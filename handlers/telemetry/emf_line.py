"""An invocation's EMF documents as JSON lines, written without building the documents first.

`emf.build_documents` is the definition; this writes exactly the text
`json.dumps(document, default=json_default, separators=(",", ":"))` gives for each document it
builds, for a fraction of the instructions. A handler usually publishes the same metrics with
the same units and dimensions on every invocation, so the `_aws` directive (namespace,
dimension sets, metric definitions) is encoded once per such set and spliced in; only the
values, the dimension values and the metadata are written each time.

Only the common case is written here: one document (at most 100 metrics, 100 values each,
30 dimensions). Anything that needs splitting is left to `build_documents` and `json.dumps`.
A hypothesis property in tests/handlers/telemetry/test_emf_line.py checks the text is the same.

`line_template` and `filled` go further for the line a handler writes on every invocation: the
same metrics, one value each, no dimensions or metadata of its own. Its text but for the request
id, the values and the timestamp is kept (`Metrics` keeps one per metric set), and each
invocation only fills those in.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from handlers.telemetry.emf import (MAX_DIMENSIONS_PER_SET, MAX_METRICS_PER_BLOB, MAX_VALUES_PER_METRIC, MetricSeries,
                                    build_documents)
from handlers.telemetry.structured_logger import json_default

_encode_string: Callable[[str], str] = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
MAX_CACHED_DIRECTIVES = 64


def encode(value: Any) -> str:
    return json.dumps(value, default=json_default, separators=(",", ":"))


def _number(value: Any) -> str:
    """A metric value as json.dumps writes it; `Metrics` only lets finite ints and floats through."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float and value - value == 0:  # finite: json.dumps spells NaN and Infinity its own way
        return float.__repr__(value)
    return encode(value)


class _Directives:
    """`,"CloudWatchMetrics":[…]}}`, the end of a line, per namespace, dimension names and metrics."""

    def __init__(self) -> None:
        self.cache: dict[tuple[Any, ...], str] = {}

    def tail(self, key: tuple[Any, ...], dimension_names: tuple[str, ...], metrics: dict[str, MetricSeries]) -> str:
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= MAX_CACHED_DIRECTIVES:
                self.cache.clear()
            definitions = []
            for name, series in metrics.items():
                definition: dict[str, Any] = {"Name": name, "Unit": series.unit}
                if series.resolution == 1:
                    definition["StorageResolution"] = 1
                definitions.append(definition)
            found = self.cache[key] = "," + encode(
                {"CloudWatchMetrics": [{"Namespace": key[0], "Dimensions": [list(dimension_names)],
                                        "Metrics": definitions}]})[1:] + "}"
        return found


_directives = _Directives()


def general_lines(namespace: str, dimensions: dict[str, str], metrics: dict[str, MetricSeries],
                  metadata: dict[str, Any], timestamp_ms: int) -> list[str]:
    return [encode(document) for document in build_documents(namespace, dimensions, metrics, metadata, timestamp_ms)]


def emf_lines(namespace: str, dimensions: dict[str, str], metrics: dict[str, MetricSeries],
              metadata: dict[str, Any], timestamp_ms: int) -> list[str]:
    """The JSON lines of `build_documents(namespace, dimensions, metrics, metadata, timestamp_ms)`.

    One pass writes the line of the common case; anything the document would split, merge or
    rename (too many metrics, values or dimensions, a key used twice, a non-string key, `_aws`
    as a key) sends the whole call to `general_lines`.
    """
    if not metrics:
        return []
    arguments = (namespace, dimensions, metrics, metadata, timestamp_ms)
    if (len(metrics) > MAX_METRICS_PER_BLOB or len(dimensions) > MAX_DIMENSIONS_PER_SET or "_aws" in metadata
            or "_aws" in dimensions or "_aws" in metrics):
        return general_lines(*arguments)
    parts = ["{"]
    append = parts.append
    for key, value in metadata.items():
        if type(key) is not str:
            return general_lines(*arguments)
        if key not in metrics and key not in dimensions:
            append(_encode_string(key))
            append(":")
            append(_encode_string(value) if type(value) is str else encode(value))
            append(",")
    signature: list[Any] = [namespace]
    for name, series in metrics.items():
        values = series.values
        if type(name) is not str or name in dimensions or not 0 < len(values) <= MAX_VALUES_PER_METRIC:
            return general_lines(*arguments)
        append(_encode_string(name))
        append(":")
        append(_number(values[0]) if len(values) == 1 else "[" + ",".join(map(_number, values)) + "]")
        append(",")
        signature += (name, series.unit, series.resolution)
    for key, value in dimensions.items():
        if type(key) is not str or type(value) is not str:
            return general_lines(*arguments)
        append(_encode_string(key))
        append(":")
        append(_encode_string(value))
        append(",")
    dimension_names = tuple(dimensions)
    signature.append(dimension_names)
    append('"_aws":{"Timestamp":')
    append(int.__repr__(timestamp_ms) if type(timestamp_ms) is int else encode(timestamp_ms))
    append(_directives.tail(tuple(signature), dimension_names, metrics))
    return ["".join(parts)]


# The slots of a template (the request id, each metric's value, the timestamp) are written as the
# numbers _SLOT_BASE - i: all of one width, so that no slot's digits run into another's, and
# found in the line only once each, or there is no template.
_SLOT_BASE = -10 ** 40
Layout = Sequence[tuple[str, str, int]]  # (name, unit, resolution) of each metric, in the order published


def line_template(namespace: str, dimensions: dict[str, str], layout: Layout, with_request_id: bool) -> tuple[str, ...] | None:
    """The line `emf_lines` writes for one value of each metric in `layout` (and the invocation's
    `request_id` as metadata, when `with_request_id`), cut where the request id, the values and
    the timestamp go, for `filled`. None when it would not be one line."""
    count = len(layout) + 1 + with_request_id
    slots = [_SLOT_BASE - index for index in range(count)]
    metadata = {"request_id": slots[0]} if with_request_id else {}
    values = slots[with_request_id:]
    metrics = {name: MetricSeries(unit, resolution, [value]) for (name, unit, resolution), value in zip(layout, values)}
    if len(metrics) != len(layout):
        return None
    lines = emf_lines(namespace, dimensions, metrics, metadata, values[-1])
    if len(lines) != 1:
        return None
    line = rest = lines[0]
    pieces = []
    for text in map(int.__repr__, slots):
        before, found, rest = rest.partition(text)
        if not found or line.count(text) != 1:
            return None
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def filled(template: tuple[str, ...], layout: Layout, metrics: dict[str, MetricSeries], request_id: str | None,
           timestamp_ms: int) -> str | None:
    """`template`'s line for these values, which is `emf_lines`'s, when `metrics` hold one finite
    number each of the metrics in `layout`, in its order; else None. `request_id` is given
    exactly when the template has its slot."""
    parts = [template[0]]
    append = parts.append
    index = 1
    if request_id is not None:
        append(_encode_string(request_id))
        append(template[1])
        index = 2
    for series, (_, unit, resolution) in zip(metrics.values(), layout):
        values = series.values
        if series.unit != unit or series.resolution != resolution or len(values) != 1:
            return None
        value = values[0]
        kind = type(value)
        if kind is int:
            append(int.__repr__(value))
        elif kind is float and value - value == 0:
            append(float.__repr__(value))
        else:
            return None
        append(template[index])
        index += 1
    append(int.__repr__(timestamp_ms))
    append(template[index])
    return "".join(parts)
