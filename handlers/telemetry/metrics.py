"""The `metrics` object handlers use; buffered per invocation and flushed as EMF by `instrument`."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from handlers.telemetry import emf, settings
from handlers.telemetry.emf import MetricResolution, MetricUnit
from handlers.telemetry.invocation_state import InvocationState, current
from handlers.telemetry.structured_logger import StructuredLogger, json_default
from handlers.telemetry.structured_logger import logger as default_logger


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
        unit, resolution = emf.plain(unit), emf.plain(resolution)
        problem = emf.metric_problem(name, value, unit, resolution)
        if problem is not None and not settings.running_in_lambda() and emf.unit_problem(unit, resolution) is not None:
            raise MetricUnitError(f"metric {name!r}: {problem}")
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

    def documents(self, timestamp_ms: int | None = None) -> list[dict[str, Any]]:
        dimensions = {"Service": self._state.service, **self._default_dimensions, **self._dimensions}
        metadata: dict[str, Any] = dict(self._metadata)
        if self._state.request_id:
            metadata.setdefault("request_id", self._state.request_id)
        return emf.build_documents(
            settings.metrics_namespace(),
            dimensions,
            self._series,
            metadata,
            timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
        )

    def flush(self) -> int:
        """Write the EMF lines and reset; returns how many lines were written."""
        if not self._series and not self._dimensions and not self._metadata:
            return 0  # the common invocation without metrics: nothing to build
        try:
            documents = self.documents()
        finally:
            self.clear()
        stream = self._stream or sys.stdout
        for document in documents:
            stream.write(json.dumps(document, default=json_default, separators=(",", ":")) + "\n")
        return len(documents)

    def clear(self) -> None:
        self._series = {}
        self._dimensions = {}
        self._metadata = {}


metrics = Metrics()
