"""Every default alarm of a service, in one deterministic list."""

from __future__ import annotations

from collections import Counter

from components.observability.apigateway.alarms import rest_api_alarms
from components.observability.dynamodb.alarms import table_alarms
from components.observability.kinesis.alarms import stream_alarms
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import ServiceView
from components.observability.thresholds import AlarmThresholds


class DuplicateAlarmKeyError(ValueError):
    """Two resources of a service produce the same alarm key (same ``part``)."""


def service_alarms(view: ServiceView, thresholds: AlarmThresholds) -> list[AlarmSpec]:
    """Alarms for all functions, APIs, tables and streams of a service; keys are checked unique."""
    specs: list[AlarmSpec] = []
    for fn in view.lambdas:
        specs += lambda_alarms(fn, thresholds)
    for api in view.apis:
        specs += rest_api_alarms(api, thresholds)
    for table in view.tables:
        specs += table_alarms(table, thresholds)
    for stream in view.streams:
        specs += stream_alarms(stream, thresholds)
    ensure_unique_keys(specs, view.service)
    return specs


def ensure_unique_keys(specs: list[AlarmSpec], service: str) -> None:
    dupes = sorted(key for key, count in Counter(s.key for s in specs).items() if count > 1)
    if dupes:
        raise DuplicateAlarmKeyError(
            f"service {service} has duplicate alarm keys {dupes}; give its resources distinct 'part' names"
        )
