"""The `metrics` object handlers use; buffered per invocation and flushed as EMF by `instrument`."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from handlers.telemetry import emf, settings
from handlers.telemetry.emf import MetricResolution, MetricUnit
from handlers.telemetry.emf_line import emf_lines, filled, line_template
from handlers.telemetry.invocation_state import InvocationState, current
from handlers.telemetry.structured_logger import StructuredLogger
from handlers.telemetry.structured_logger import logger as default_logger


MAX_ACCEPTED_SPECS = 1024  # metric names are written in code, but a handler could make them up per call
MAX_TEMPLATES = 64  # line templates, one per metric set a handler publishes (see `_repeated_line`)


class MetricUnitError(ValueError):
    """A metric unit or resolution CloudWatch does not accept (raised outside Lambda only)."""


class Metrics:
    def __init__(self, state: InvocationState = current, log: StructuredLogger = default_logger, stream: TextIO | None = None) -> None:
        self._state = state
        self._log = log
        self._stream = stream
        self._series: dict[str, emf.MetricSeries] = {}
        self._dimensions: dict[str, str] = {}
        self._default_dimensions: dict[str, str] = {}
        self._metadata: dict[str, Any] = {}
        self._accepted: dict[tuple[Any, ...], tuple[str, int]] = {}  # (name, unit, resolution, its type) -> plain unit, resolution
        # (namespace, service, with a request id, metric names) -> (default dimensions, layout, template or None)
        self._templates: dict[tuple[Any, ...], tuple[dict[str, str], tuple[tuple[str, str, int], ...], Any]] = {}

    def set_stream(self, stream: TextIO | None) -> None:
        self._stream = stream

    def add_metric(self, name: str, value: float, unit: MetricUnit | str = MetricUnit.Count,
                   resolution: MetricResolution | int = MetricResolution.Standard) -> bool:
        """Record one value; returns False (and logs a warning) when it cannot be published.

        A unit or resolution CloudWatch does not know is a typo in the caller's code: outside
        Lambda (tests, local runs) it raises `MetricUnitError` so the typo is found before it
        ships; inside Lambda it is a warning, because a typo in a metric call must never fail a
        business transaction. Other bad input (a NaN from data, a name clash) is always a warning.
        """
        try:
            # A handler publishes the same few metrics on every invocation: once a name, unit
            # and resolution have been accepted, only the value is checked again. The type of
            # the resolution is part of the key because True == 1 (and a bool is refused).
            spec = self._accepted.get((name, unit, resolution, type(resolution)))
        except TypeError:  # something unhashable: certainly not a valid name or unit
            spec = None
        kind = type(value)
        if spec is not None and (kind is int or (kind is float and value - value == 0)):
            # The usual call, in as few steps as possible: a series this invocation has not
            # started yet, or one it started with the same unit and resolution. (A dimension
            # cannot take a metric's name once its series exists: `_put_dimension` refuses it.)
            series = self._series.get(name)
            if series is None:
                if name not in self._dimensions and name not in self._default_dimensions:
                    self._series[name] = emf.MetricSeries(spec[0], spec[1], [value])
                    return True
            elif series.unit == spec[0] and series.resolution == spec[1]:
                series.values.append(value)
                return True
            unit, resolution = spec
            problem = None
        else:
            key = (name, unit, resolution, type(resolution))
            unit, resolution = emf.plain(unit), emf.plain(resolution)
            problem = emf.metric_problem(name, value, unit, resolution)
            if problem is not None and not settings.running_in_lambda() and emf.unit_problem(unit, resolution) is not None:
                raise MetricUnitError(f"metric {name!r}: {problem}")
            if problem is None:
                if len(self._accepted) >= MAX_ACCEPTED_SPECS:
                    self._accepted.clear()
                self._accepted[key] = (str(unit), int(resolution))
        existing = self._series.get(name) if problem is None else None
        if existing is not None and (existing.unit != unit or existing.resolution != resolution):
            problem = f"metric already recorded with unit {existing.unit} and resolution {existing.resolution}"
        if problem is None and (name in self._dimensions or name in self._default_dimensions):
            problem = "metric name collides with a dimension name"
        if problem is not None:
            self._log.warning("metric rejected", metric_name=repr(name), reason=problem)
            return False
        if existing is None:
            existing = self._series[name] = emf.MetricSeries(unit=str(unit), resolution=int(resolution))
        existing.values.append(value)
        return True

    def add_dimension(self, name: str, value: str) -> bool:
        """A dimension for this invocation's metrics only."""
        return self._put_dimension(self._dimensions, name, value)

    def set_default_dimensions(self, **dimensions: str) -> None:
        """Dimensions kept across invocations (besides Service)."""
        for name, value in dimensions.items():
            self._put_dimension(self._default_dimensions, name, value)

    def _put_dimension(self, target: dict[str, str], name: str, value: Any) -> bool:
        text = value if isinstance(value, str) else str(value)
        problem = emf.dimension_problem(name, text)
        if problem is None and name in self._series:
            problem = "dimension name collides with a metric name"
        if problem is not None:
            self._log.warning("dimension rejected", dimension_name=repr(name), reason=problem)
            return False
        target[name] = text
        return True

    def add_metadata(self, key: str, value: Any) -> None:
        """Searchable in Logs Insights, but not a dimension (costs nothing in CloudWatch)."""
        self._metadata[str(key)] = value

    def pending(self) -> int:
        return sum(len(series.values) for series in self._series.values())

    def _document_inputs(self, timestamp_ms: int | None,
                         namespace: str | None = None) -> tuple[str, dict[str, str], dict[str, emf.MetricSeries], dict[str, Any], int]:
        dimensions = {"Service": self._state.service, **self._default_dimensions, **self._dimensions}
        metadata: dict[str, Any] = dict(self._metadata)
        if self._state.request_id:
            metadata.setdefault("request_id", self._state.request_id)
        timestamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        return namespace or settings.metrics_namespace(), dimensions, self._series, metadata, timestamp

    def _repeated_line(self, namespace: str, timestamp_ms: int) -> str | None:
        """The line of an invocation that publishes the metric set it published before, one value
        each, with no dimensions or metadata of its own (the usual case): filled into the set's
        template (`emf_line.line_template`), kept across invocations. None otherwise."""
        if self._dimensions or self._metadata:
            return None
        request_id = self._state.request_id or None
        if request_id is not None and type(request_id) is not str:
            return None
        series = self._series
        key = (namespace, self._state.service, request_id is None, tuple(series))
        found = self._templates.get(key)
        if found is None or found[0] != self._default_dimensions:
            if len(self._templates) >= MAX_TEMPLATES:
                self._templates.clear()
            layout = tuple((name, item.unit, item.resolution) for name, item in series.items())
            dimensions = {"Service": self._state.service, **self._default_dimensions}
            found = self._templates[key] = (dict(self._default_dimensions), layout,
                                             line_template(namespace, dimensions, layout, request_id is not None))
        _, layout, template = found
        return None if template is None else filled(template, layout, series, request_id, timestamp_ms)

    def documents(self, timestamp_ms: int | None = None) -> list[dict[str, Any]]:
        return emf.build_documents(*self._document_inputs(timestamp_ms))

    def flush(self, into: list[str] | None = None) -> int:
        """Write the EMF lines and reset; returns how many lines were written.

        With `into`, and no stream of its own, the lines are appended to it instead: `instrument`
        writes them with the span lines in one write (see `handlers.telemetry.decorator.flush`).
        """
        if not self._series and not self._dimensions and not self._metadata:
            return 0  # the common invocation without metrics: nothing to build
        try:
            namespace, timestamp = settings.metrics_namespace(), int(time.time() * 1000)
            line = self._repeated_line(namespace, timestamp)
            # the text of `documents()`, see emf_line
            lines = [line] if line is not None else emf_lines(*self._document_inputs(timestamp, namespace))
        finally:
            self.clear()
        if into is not None and self._stream is None:
            into.extend([line + "\n" for line in lines])
            return len(lines)
        stream = self._stream or sys.stdout
        for line in lines:
            stream.write(line + "\n")
        return len(lines)

    def clear(self) -> None:
        self._series = {}
        self._dimensions = {}
        self._metadata = {}


metrics = Metrics()
