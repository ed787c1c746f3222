"""The `metrics` object handlers use; buffered per invocation and flushed as EMF by `instrument`."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from handlers.telemetry import emf, settings
from handlers.telemetry.emf import MetricResolution, MetricUnit
from handlers.telemetry.emf_line import emf_lines
from handlers.telemetry.invocation_state import InvocationState, current
from handlers.telemetry.structured_logger import StructuredLogger
from handlers.telemetry.structured_logger import logger as default_logger


MAX_ACCEPTED_SPECS = 1024  # metric names are written in code, but a handler could make them up per call


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

    def _document_inputs(self, timestamp_ms: int | None) -> tuple[str, dict[str, str], dict[str, emf.MetricSeries], dict[str, Any], int]:
        dimensions = {"Service": self._state.service, **self._default_dimensions, **self._dimensions}
        metadata: dict[str, Any] = dict(self._metadata)
        if self._state.request_id:
            metadata.setdefault("request_id", self._state.request_id)
        timestamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        return settings.metrics_namespace(), dimensions, self._series, metadata, timestamp

    def documents(self, timestamp_ms: int | None = None) -> list[dict[str, Any]]:
        return emf.build_documents(*self._document_inputs(timestamp_ms))

    def flush(self) -> int:
        """Write the EMF lines and reset; returns how many lines were written."""
        if not self._series and not self._dimensions and not self._metadata:
            return 0  # the common invocation without metrics: nothing to build
        try:
            lines = emf_lines(*self._document_inputs(None))  # the text of `documents()`, see emf_line
        finally:
            self.clear()
        stream = self._stream or sys.stdout
        for line in lines:
            stream.write(line + "\n")
        return len(lines)

    def clear(self) -> None:
        self._series = {}
        self._dimensions = {}
        self._metadata = {}


metrics = Metrics()
