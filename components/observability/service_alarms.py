"""Every default alarm of a service, in one deterministic list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from components.observability.alb.alarms import load_balancer_alarms
from components.observability.apigateway.alarms import rest_api_alarms
from components.observability.dynamodb.alarms import table_alarms
from components.observability.ecs.alarms import ecs_service_alarms
from components.observability.events.alarms import rule_alarms
from components.observability.firehose.alarms import delivery_stream_alarms
from components.observability.kinesis.alarms import stream_alarms
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import ServiceView
from components.observability.scheduler.alarms import schedule_alarms
from components.observability.sns.alarms import topic_alarms
from components.observability.sqs.alarms import queue_alarms
from components.observability.stepfunctions.alarms import state_machine_alarms
from components.observability.thresholds import AlarmThresholds


class DuplicateAlarmKeyError(ValueError):
    """Two resources of a service produce the same alarm key (same ``part``)."""


# Each factory takes its own ref type; the table pairs it with the view field holding those refs.
RefsOfKind = Callable[[ServiceView], Sequence[Any]]
KindFactory = Callable[[Any, AlarmThresholds], list[AlarmSpec]]

# In the fixed kind order the alarm list (and so the emitted resources and the health rule) follows.
_KIND_FACTORIES: tuple[tuple[RefsOfKind, KindFactory], ...] = (
    (attrgetter("lambdas"), lambda_alarms),
    (attrgetter("apis"), rest_api_alarms),
    (attrgetter("tables"), table_alarms),
    (attrgetter("streams"), stream_alarms),
    (attrgetter("queues"), queue_alarms),
    (attrgetter("topics"), topic_alarms),
    (attrgetter("state_machines"), state_machine_alarms),
    (attrgetter("rules"), rule_alarms),
    (attrgetter("schedules"), schedule_alarms),
    (attrgetter("delivery_streams"), delivery_stream_alarms),
    (attrgetter("load_balancers"), load_balancer_alarms),
    (attrgetter("ecs_services"), ecs_service_alarms),
)


def service_alarms(view: ServiceView, thresholds: AlarmThresholds) -> list[AlarmSpec]:
    """Alarms for every resource of a service, in a fixed kind order; keys are checked unique."""
    specs = [spec for refs_of, factory in _KIND_FACTORIES for ref in refs_of(view) for spec in factory(ref, thresholds)]
    ensure_unique_keys(specs, view.service)
    return specs


def ensure_unique_keys(specs: list[AlarmSpec], service: str) -> None:
    dupes = sorted(key for key, count in Counter(s.key for s in specs).items() if count > 1)
    if dupes:
        raise DuplicateAlarmKeyError(
            f"service {service} has duplicate alarm keys {dupes}; give its resources distinct 'part' names"
        )
