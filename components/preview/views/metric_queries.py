"""A graph's lines as GetMetricData queries, and the answer back as points per line.

One request per widget keeps the widget's own ids (expressions refer to them) and stays far below
GetMetricData's 500 queries per call, since a widget holds at most 500 metrics.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from components.preview.views.context import Points
from components.preview.views.metric_rows import GraphLine

MAX_QUERIES_PER_CALL = 500


def metric_data_queries(lines: Sequence[GraphLine]) -> list[dict[str, Any]]:
    """Hidden lines are still queried (expressions read them) but not returned."""
    queries: list[dict[str, Any]] = []
    for line in lines:
        query: dict[str, Any] = {"Id": line.id, "Label": line.label, "ReturnData": line.visible}
        if line.expression is not None:
            query.update(Expression=line.expression, Period=line.period)
        else:
            assert line.metric is not None and line.stat is not None
            query["MetricStat"] = {
                "Metric": {"Namespace": line.metric.namespace, "MetricName": line.metric.name,
                           "Dimensions": [{"Name": k, "Value": v} for k, v in line.metric.dimensions]},
                "Period": line.period, "Stat": line.stat}
        queries.append(query)
    if len(queries) > MAX_QUERIES_PER_CALL:
        raise ValueError(f"{len(queries)} queries; GetMetricData takes at most {MAX_QUERIES_PER_CALL} per call")
    return queries


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def points_by_id(results: Iterable[Mapping[str, Any]]) -> dict[str, Points]:
    """``MetricDataResults`` (all pages) -> id -> (epoch, value) in time order; gaps and non-numbers dropped."""
    collected: dict[str, list[tuple[float, float]]] = {}
    for result in results:
        pairs = collected.setdefault(str(result["Id"]), [])
        for stamp, value in zip(result.get("Timestamps") or [], result.get("Values") or []):
            if isinstance(value, (int, float)) and math.isfinite(value):
                pairs.append((_epoch(stamp), float(value)))
    return {key: tuple(sorted(pairs)) for key, pairs in collected.items()}
