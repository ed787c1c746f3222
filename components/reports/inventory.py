"""A typed reading of a stack inventory: alarms, dashboards, log groups and the priced resources.

The inventory is the preview's `--json` array (`type`, `name`, `parent`, `inputs` in the engine's
camelCase). Reports and the HTML views read these records instead of raw dicts, so the camelCase
keys and the engine's habit of sending every number as a float are dealt with in one place.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.resource_types import (COMPOSITE_ALARM, DASHBOARD, DOMAIN, FUNCTION, LOG_GROUP, METRIC_ALARM,
                                       SAMPLING_RULE, STAGE, STREAM, TOPIC_SUBSCRIPTION)

SERVICE_TAG = "platform:service"
SEVERITY_TAG = "platform:severity"
CHECK_FIRST = " Check first: "


@dataclass(frozen=True, order=True)
class MetricKey:
    """A CloudWatch metric's identity; dimensions are sorted because their order means nothing to CloudWatch."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, namespace: str, name: str, dimensions: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> MetricKey:
        pairs = dimensions.items() if isinstance(dimensions, Mapping) else dimensions
        return cls(namespace, name, tuple(sorted((str(k), str(v)) for k, v in pairs)))

    def describe(self) -> str:
        dims = ", ".join(f"{k}={v}" for k, v in self.dimensions)
        return f"{self.namespace} {self.name}" + (f" ({dims})" if dims else "")


@dataclass(frozen=True)
class AlarmQuery:
    """One row of a metric-math alarm: a metric with its statistic, or an expression over other ids."""

    id: str
    metric: MetricKey | None = None
    stat: str | None = None
    period: int | None = None
    expression: str | None = None
    label: str | None = None
    return_data: bool = False


@dataclass(frozen=True)
class Alarm:
    """A metric alarm as deployed: either one metric (``metric``) or metric math (``queries``)."""

    name: str
    service: str
    severity: str
    description: str
    comparison: str
    threshold: float
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    actions: tuple[str, ...]
    metric: MetricKey | None = None
    stat: str | None = None
    queries: tuple[AlarmQuery, ...] = ()

    @property
    def metrics(self) -> tuple[MetricKey, ...]:
        """Every metric the alarm reads: CloudWatch bills and limits alarms per metric."""
        if self.metric is not None:
            return (self.metric,)
        return tuple(q.metric for q in self.queries if q.metric is not None)

    @property
    def returned(self) -> AlarmQuery | None:
        return next((q for q in self.queries if q.return_data), None)

    @property
    def high_resolution(self) -> bool:
        """CloudWatch prices an alarm with a period under 60 s as high resolution."""
        return self.period < 60

    @property
    def meaning(self) -> str:
        return self.description.split(CHECK_FIRST, 1)[0].strip()

    @property
    def check_first(self) -> str:
        parts = self.description.split(CHECK_FIRST, 1)
        return parts[1].strip() if len(parts) == 2 else ""


@dataclass(frozen=True)
class CompositeAlarm:
    name: str
    service: str
    rule: str
    description: str
    actions: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    """A dashboard and its body exactly as the stack sends it (``body_text``) and parsed (``body``)."""

    name: str
    body_text: str
    body: dict[str, Any] = field(compare=False)


@dataclass(frozen=True)
class LogGroup:
    name: str
    service: str
    retention_days: int | None  # None: kept forever


@dataclass(frozen=True)
class Domain:
    name: str
    instance_type: str
    instance_count: int
    master_type: str | None
    master_count: int
    volume_gb: int
    volume_type: str


@dataclass(frozen=True)
class SamplingRule:
    name: str
    fixed_rate: float
    reservoir_per_second: int


@dataclass(frozen=True)
class StackInventory:
    stack: str
    region: str
    alarms: tuple[Alarm, ...]
    composites: tuple[CompositeAlarm, ...]
    dashboards: tuple[Dashboard, ...]
    log_groups: tuple[LogGroup, ...]
    functions: tuple[str, ...]
    function_log_groups: frozenset[str]         # log groups Lambda functions write to
    access_log_groups: frozenset[str]           # log groups API stages write access logs to
    streams: tuple[tuple[str, int], ...]       # (name, shard count)
    domains: tuple[Domain, ...]
    sampling_rules: tuple[SamplingRule, ...]
    api_stages: int
    subscribers: Mapping[str, int]              # topic ARN -> subscriptions

    @classmethod
    def from_entries(cls, stack: str, region: str, entries: Sequence[Mapping[str, Any]]) -> StackInventory:
        """Reads the preview's inventory entries (``{"type", "name", "parent", "inputs"}``)."""
        def of(type_token: str) -> list[Mapping[str, Any]]:
            return [e["inputs"] for e in entries if e["type"] == type_token]

        subscribers: dict[str, int] = {}
        for sub in of(TOPIC_SUBSCRIPTION):
            subscribers[str(sub.get("topic"))] = subscribers.get(str(sub.get("topic")), 0) + 1
        return cls(
            stack=stack, region=region,
            alarms=tuple(sorted((_alarm(i) for i in of(METRIC_ALARM)), key=lambda a: a.name)),
            composites=tuple(sorted((_composite(i) for i in of(COMPOSITE_ALARM)), key=lambda a: a.name)),
            dashboards=tuple(sorted((_dashboard(i) for i in of(DASHBOARD)), key=lambda d: d.name)),
            log_groups=tuple(sorted((_log_group(i) for i in of(LOG_GROUP)), key=lambda g: g.name)),
            functions=tuple(sorted(str(i.get("name")) for i in of(FUNCTION))),
            function_log_groups=frozenset(str((i.get("loggingConfig") or {}).get("logGroup") or
                                              f"/aws/lambda/{i.get('name')}") for i in of(FUNCTION)),
            access_log_groups=frozenset(str((i.get("accessLogSettings") or {}).get("destinationArn", ""))
                                        .split(":log-group:", 1)[-1] for i in of(STAGE) if i.get("accessLogSettings")),
            streams=tuple(sorted((str(i.get("name")), _int(i.get("shardCount"), 1)) for i in of(STREAM))),
            domains=tuple(sorted((_domain(i) for i in of(DOMAIN)), key=lambda d: d.name)),
            sampling_rules=tuple(SamplingRule(str(i.get("ruleName")), float(i.get("fixedRate") or 0),
                                              _int(i.get("reservoirSize"), 0)) for i in of(SAMPLING_RULE)),
            api_stages=len(of(STAGE)),
            subscribers=subscribers,
        )

    def alarms_of(self, service: str) -> list[Alarm]:
        return [a for a in self.alarms if a.service == service]

    @property
    def alarm_names(self) -> list[str]:
        return sorted([a.name for a in self.alarms] + [c.name for c in self.composites])


def _int(value: Any, default: int) -> int:
    return default if value is None else int(value)


def _tags(inputs: Mapping[str, Any]) -> Mapping[str, str]:
    tags = inputs.get("tags")
    return tags if isinstance(tags, Mapping) else {}


def _alarm(i: Mapping[str, Any]) -> Alarm:
    queries = tuple(_query(q) for q in i.get("metricQueries") or ())
    metric = None
    if i.get("metricName"):
        metric = MetricKey.of(str(i.get("namespace")), str(i["metricName"]), i.get("dimensions") or {})
    period = _int(i.get("period"), 0) or min((q.period for q in queries if q.period), default=60)
    return Alarm(
        name=str(i.get("name") or i.get("alarmName")), service=_tags(i).get(SERVICE_TAG, "?"),
        severity=_tags(i).get(SEVERITY_TAG, "?"), description=str(i.get("alarmDescription") or ""),
        comparison=str(i.get("comparisonOperator")), threshold=float(i.get("threshold") or 0), period=period,
        evaluation_periods=_int(i.get("evaluationPeriods"), 1), datapoints_to_alarm=_int(i.get("datapointsToAlarm"), 1),
        treat_missing_data=str(i.get("treatMissingData") or "missing"), actions=tuple(i.get("alarmActions") or ()),
        metric=metric, stat=i.get("statistic") or i.get("extendedStatistic"), queries=queries)


def _query(q: Mapping[str, Any]) -> AlarmQuery:
    metric = q.get("metric")
    if metric:
        return AlarmQuery(id=str(q["id"]), metric=MetricKey.of(str(metric["namespace"]), str(metric["metricName"]),
                                                                metric.get("dimensions") or {}),
                          stat=metric.get("stat"), period=_int(metric.get("period"), 60), label=q.get("label"),
                          return_data=bool(q.get("returnData")))
    return AlarmQuery(id=str(q["id"]), expression=q.get("expression"), label=q.get("label"),
                      return_data=bool(q.get("returnData")))


def _composite(i: Mapping[str, Any]) -> CompositeAlarm:
    return CompositeAlarm(name=str(i.get("alarmName")), service=_tags(i).get(SERVICE_TAG, "?"),
                          rule=str(i.get("alarmRule") or ""), description=str(i.get("alarmDescription") or ""),
                          actions=tuple(i.get("alarmActions") or ()))


def _dashboard(i: Mapping[str, Any]) -> Dashboard:
    text = str(i.get("dashboardBody") or "{}")
    return Dashboard(name=str(i.get("dashboardName")), body_text=text, body=json.loads(text))


def _log_group(i: Mapping[str, Any]) -> LogGroup:
    retention = i.get("retentionInDays")
    return LogGroup(name=str(i.get("name")), service=_tags(i).get(SERVICE_TAG, "?"),
                    retention_days=int(retention) if retention else None)


def _domain(i: Mapping[str, Any]) -> Domain:
    cluster, ebs = i.get("clusterConfig") or {}, i.get("ebsOptions") or {}
    masters = _int(cluster.get("dedicatedMasterCount"), 0) if cluster.get("dedicatedMasterEnabled") else 0
    return Domain(name=str(i.get("domainName")), instance_type=str(cluster.get("instanceType")),
                  instance_count=_int(cluster.get("instanceCount"), 1),
                  master_type=cluster.get("dedicatedMasterType") if masters else None, master_count=masters,
                  volume_gb=_int(ebs.get("volumeSize"), 0), volume_type=str(ebs.get("volumeType") or "gp3"))


def region_of_arns(arns: Iterable[str]) -> str | None:
    """The region field of the first regional ARN, e.g. an alarm topic's."""
    for arn in arns:
        parts = str(arn).split(":")
        if len(parts) > 3 and parts[0] == "arn" and parts[3]:
            return parts[3]
    return None
