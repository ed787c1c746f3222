"""A small validator for CloudWatch EMF documents, written from the EMF specification.

It checks the structure CloudWatch enforces: the `_aws` metadata, at most one Namespace per
directive, dimension sets of at most 30 keys that resolve to string members, at most 100
metric definitions per directive that resolve to numbers or arrays of at most 100 numbers.
"""

from __future__ import annotations

import math
from typing import Any

from handlers.telemetry.emf import UNITS


def emf_problems(document: Any) -> list[str]:
    problems: list[str] = []
    if not isinstance(document, dict):
        return ["document is not an object"]
    meta = document.get("_aws")
    if not isinstance(meta, dict):
        return ["missing _aws object"]
    if not isinstance(meta.get("Timestamp"), int) or meta["Timestamp"] < 0:
        problems.append("_aws.Timestamp must be a non-negative integer (epoch ms)")
    directives = meta.get("CloudWatchMetrics")
    if not isinstance(directives, list) or not directives:
        return problems + ["_aws.CloudWatchMetrics must be a non-empty array"]
    for directive in directives:
        namespace = directive.get("Namespace")
        if not isinstance(namespace, str) or not 1 <= len(namespace) <= 1024:
            problems.append("Namespace must be a 1-1024 character string")
        dimension_sets = directive.get("Dimensions")
        if not isinstance(dimension_sets, list):
            problems.append("Dimensions must be an array of arrays")
            dimension_sets = []
        for dimension_set in dimension_sets:
            if not isinstance(dimension_set, list) or len(dimension_set) > 30:
                problems.append("a dimension set must be an array of at most 30 keys")
                continue
            for key in dimension_set:
                if not isinstance(document.get(key), str):
                    problems.append(f"dimension {key!r} must resolve to a string member")
        definitions = directive.get("Metrics")
        if not isinstance(definitions, list) or len(definitions) > 100:
            problems.append("Metrics must be an array of at most 100 definitions")
            definitions = []
        names = [definition.get("Name") for definition in definitions]
        if len(set(names)) != len(names):
            problems.append("a metric is defined twice in one directive")
        for definition in definitions:
            name = definition.get("Name")
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                problems.append(f"metric name {name!r} must be a 1-255 character string")
            if "Unit" in definition and definition["Unit"] not in UNITS:
                problems.append(f"unit {definition['Unit']!r} is not a CloudWatch unit")
            if "StorageResolution" in definition and definition["StorageResolution"] not in (1, 60):
                problems.append("StorageResolution must be 1 or 60")
            value = document.get(name)
            values = value if isinstance(value, list) else [value]
            if len(values) > 100:
                problems.append(f"metric {name} has more than 100 values")
            if not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) for v in values):
                problems.append(f"metric {name!r} must resolve to a number or an array of numbers")
    return problems


def assert_valid_emf(document: Any) -> None:
    problems = emf_problems(document)
    assert not problems, problems
