"""Every default alarm of a service, in one deterministic list."""

from __future__ import annotations

from collections import Counter

from components.observability.apigateway.alarms import rest_api_alarms
from components.observability.dynamodb.alarms import table_alarms
from components.observability.events.alarms import rule_alarms
from components.observability.kinesis.alarms import stream_alarms
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import ServiceView
from components.observability.sns.alarms import topic_alarms
from components.observability.sqs.alarms import queue_alarms
from components.observability.stepfunctions.alarms import state_machine_alarms
from components.observability.thresholds import AlarmThresholds


class DuplicateAlarmKeyError(ValueError):
    """Two resources of a service produce the same alarm key (same ``part``)."""


def service_alarms(view: ServiceView, thresholds: AlarmThresholds) -> list[AlarmSpec]:
    """Alarms for every resource of a service, in a fixed kind order; keys are checked unique."""
    specs: list[AlarmSpec] = []
    for fn in view.lambdas:
        specs += lambda_alarms(fn, thresholds)
    for api in view.apis:
        specs += rest_api_alarms(api, thresholds)
    for table in view.tables:
        specs += table_alarms(table, thresholds)
    for stream in view.streams:
        specs += stream_alarms(stream, thresholds)
    for queue in view.queues:
        specs += queue_alarms(queue, thresholds)
    for topic in view.topics:
        specs += topic_alarms(topic, thresholds)
    for machine in view.state_machines:
        specs += state_machine_alarms(machine, thresholds)
    for rule in view.rules:
        specs += rule_alarms(rule, thresholds)
    ensure_unique_keys(specs, view.service)
    return specs


def ensure_unique_keys(specs: list[AlarmSpec], service: str) -> None:
    dupes = sorted(key for key, count in Counter(s.key for s in specs).items() if count > 1)
    if dupes:
        raise DuplicateAlarmKeyError(
            f"service {service} has duplicate alarm keys {dupes}; give its resources distinct 'part' names"
        )
