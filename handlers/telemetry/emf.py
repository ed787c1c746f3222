"""CloudWatch Embedded Metric Format: pure validation and document building.

CloudWatch rejects a whole EMF blob that breaks a limit (100 metrics per directive,
30 keys per dimension set, 100 values per metric), and with it every metric in it.
So limits are met by splitting into more blobs, and invalid input is refused one item at
a time, with a reason, instead of poisoning the blob.
"""

from __future__ import annotations

import math
from enum import Enum, IntEnum
from typing import Any

MAX_METRICS_PER_BLOB = 100
MAX_DIMENSIONS_PER_SET = 30
MAX_VALUES_PER_METRIC = 100
MAX_NAME_LENGTH = 255
MAX_DIMENSION_VALUE_LENGTH = 1024
STORAGE_RESOLUTIONS = (1, 60)


class MetricUnit(str, Enum):
    """CloudWatch's units, with Powertools' member names so code written for it ports unchanged.

    A `str` enum: `MetricUnit.Milliseconds == "Milliseconds"`, and a misspelt member fails
    where it is written (AttributeError) instead of losing the metric at run time.
    """

    Seconds = "Seconds"
    Microseconds = "Microseconds"
    Milliseconds = "Milliseconds"
    Bytes = "Bytes"
    Kilobytes = "Kilobytes"
    Megabytes = "Megabytes"
    Gigabytes = "Gigabytes"
    Terabytes = "Terabytes"
    Bits = "Bits"
    Kilobits = "Kilobits"
    Megabits = "Megabits"
    Gigabits = "Gigabits"
    Terabits = "Terabits"
    Percent = "Percent"
    Count = "Count"
    BytesPerSecond = "Bytes/Second"
    KilobytesPerSecond = "Kilobytes/Second"
    MegabytesPerSecond = "Megabytes/Second"
    GigabytesPerSecond = "Gigabytes/Second"
    TerabytesPerSecond = "Terabytes/Second"
    BitsPerSecond = "Bits/Second"
    KilobitsPerSecond = "Kilobits/Second"
    MegabitsPerSecond = "Megabits/Second"
    GigabitsPerSecond = "Gigabits/Second"
    TerabitsPerSecond = "Terabits/Second"
    CountPerSecond = "Count/Second"
    NoUnit = "None"


class MetricResolution(IntEnum):
    Standard = 60
    High = 1


UNITS = frozenset(unit.value for unit in MetricUnit)


def plain(value: Any) -> Any:
    """The value of any enum member (ours or Powertools'), else the value itself."""
    return value.value if isinstance(value, Enum) else value


def unit_problem(unit: Any, resolution: Any) -> str | None:
    """Why this unit or storage resolution is not CloudWatch's, or None. Both are constants in the
    caller's code, so a problem here is a typo, which `Metrics` raises outside Lambda."""
    if not isinstance(unit, str) or unit not in UNITS:
        from difflib import get_close_matches  # only on this error path

        close = get_close_matches(str(unit), UNITS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unit {unit!r} is not a CloudWatch unit (use MetricUnit){hint}"
    if resolution not in STORAGE_RESOLUTIONS or isinstance(resolution, bool):
        return "resolution must be 1 (high resolution) or 60 (standard)"
    return None


class MetricSeries:
    __slots__ = ("unit", "resolution", "values")

    def __init__(self, unit: str, resolution: int, values: list[float] | None = None) -> None:
        self.unit = unit
        self.resolution = resolution
        self.values: list[float] = values if values is not None else []


def metric_problem(name: Any, value: Any, unit: Any, resolution: Any) -> str | None:
    """Why this metric cannot be published, or None when it can."""
    if not isinstance(name, str) or not name.strip():
        return "metric name must be a non-empty string"
    if len(name) > MAX_NAME_LENGTH:
        return f"metric name longer than {MAX_NAME_LENGTH} characters"
    if not name.isascii() or not name.isprintable():
        return "metric name must be printable ASCII"
    if name == "_aws":
        return "metric name _aws is reserved by EMF"
    problem = unit_problem(unit, resolution)
    if problem is not None:
        return problem
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "metric value must be a number"
    if not math.isfinite(value):
        return "metric value must be finite"
    return None


def dimension_problem(name: Any, value: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "dimension name must be a non-empty string"
    if len(name) > MAX_NAME_LENGTH or not name.isascii() or not name.isprintable():
        return f"dimension name must be printable ASCII of at most {MAX_NAME_LENGTH} characters"
    if name.startswith(":"):
        return "dimension name must not start with ':'"
    if name == "_aws":
        return "dimension name _aws is reserved by EMF"
    if not isinstance(value, str) or not value.strip():
        return "dimension value must be a non-empty string"
    if len(value) > MAX_DIMENSION_VALUE_LENGTH:
        return f"dimension value longer than {MAX_DIMENSION_VALUE_LENGTH} characters"
    return None


def dimension_sets(dimension_names: list[str], anchor: str | None) -> list[list[str]]:
    """Groups of at most 30 keys; `anchor` (the Service dimension) is repeated in every group.

    A metric cannot carry more than 30 dimensions in CloudWatch, so past that the metrics are
    published once per group rather than dropping the extra dimensions silently.
    """
    if len(dimension_names) <= MAX_DIMENSIONS_PER_SET:
        return [list(dimension_names)]
    others = [name for name in dimension_names if name != anchor]
    width = MAX_DIMENSIONS_PER_SET - (1 if anchor else 0)
    groups = [others[start : start + width] for start in range(0, len(others), width)]
    return [([anchor] if anchor else []) + group for group in groups]


def metric_slices(metrics: dict[str, MetricSeries]) -> list[list[tuple[str, MetricSeries, list[float]]]]:
    """Blobs of at most 100 metrics, each metric with at most 100 values in any one blob."""
    rounds: list[list[tuple[str, MetricSeries, list[float]]]] = []
    for name, series in metrics.items():
        for index, start in enumerate(range(0, len(series.values), MAX_VALUES_PER_METRIC)):
            if index == len(rounds):
                rounds.append([])
            rounds[index].append((name, series, series.values[start : start + MAX_VALUES_PER_METRIC]))
    blobs: list[list[tuple[str, MetricSeries, list[float]]]] = []
    for round_ in rounds:
        blobs.extend(round_[start : start + MAX_METRICS_PER_BLOB] for start in range(0, len(round_), MAX_METRICS_PER_BLOB))
    return blobs


def build_documents(
    namespace: str,
    dimensions: dict[str, str],
    metrics: dict[str, MetricSeries],
    metadata: dict[str, Any],
    timestamp_ms: int,
    anchor_dimension: str | None = "Service",
) -> list[dict[str, Any]]:
    """Every EMF document needed to publish `metrics`, already within CloudWatch's limits."""
    if not metrics:
        return []
    documents: list[dict[str, Any]] = []
    for dimension_set in dimension_sets(list(dimensions), anchor_dimension if anchor_dimension in dimensions else None):
        for blob in metric_slices(metrics):
            document: dict[str, Any] = {key: value for key, value in metadata.items() if key not in metrics and key not in dimensions}
            definitions = []
            for name, series, values in blob:
                definition: dict[str, Any] = {"Name": name, "Unit": series.unit}
                if series.resolution == 1:
                    definition["StorageResolution"] = 1
                definitions.append(definition)
                document[name] = values[0] if len(values) == 1 else values
            for key in dimension_set:
                document[key] = dimensions[key]
            document["_aws"] = {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{"Namespace": namespace, "Dimensions": [dimension_set], "Metrics": definitions}],
            }
            documents.append(document)
    return documents
