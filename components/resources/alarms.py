"""Emits alarm specs as CloudWatch alarms routed to the severity topic.

Each alarm notifies on ALARM and on OK, so whoever was told about a problem is also told it ended.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.iam import AccountContext
from components.naming import Namer
from components.observability.deploy_time import sent_value
from components.observability.health import health_alarm_description, health_alarm_rule
from components.observability.model import AlarmSpec, MetricStat, Severity


@dataclass(frozen=True)
class EmittedAlarms:
    names: list[str]
    arns: list[str]
    resources: list[pulumi.Resource]


def alarm_arn(ctx: AccountContext, name: str) -> str:
    """Alarm ARNs are predictable, so dashboards need not wait on the alarms to exist."""
    return ctx.arn("cloudwatch", f"alarm:{name}")


def _dimensions(stat: MetricStat) -> dict[str, pulumi.Input[str]]:
    """Dimension values as AWS must receive them: a load balancer's id only exists once AWS assigned it."""
    return {name: sent_value(value) for name, value in stat.dimensions}


def _metric_args(stat: MetricStat) -> dict:
    args = {"namespace": stat.namespace, "metric_name": stat.metric_name, "period": stat.period,
            "dimensions": _dimensions(stat)}
    if stat.is_percentile:
        args["extended_statistic"] = stat.stat
    else:
        args["statistic"] = stat.stat
    return args


def _queries(spec: AlarmSpec) -> list[aws.cloudwatch.MetricAlarmMetricQueryArgs]:
    queries = []
    for query in spec.queries:
        metric = None
        if query.metric is not None:
            metric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=query.metric.namespace, metric_name=query.metric.metric_name,
                period=query.metric.period, stat=query.metric.stat, dimensions=_dimensions(query.metric))
        queries.append(aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query.id, expression=query.expression, label=query.label, return_data=query.return_data,
            metric=metric))
    return queries


def emit_alarms(specs: Sequence[AlarmSpec], *, namer: Namer, ctx: AccountContext, service: str,
                topics: Mapping[Severity, pulumi.Input[str]], tags: Mapping[str, str],
                parent: pulumi.Resource, logical_prefix: str) -> EmittedAlarms:
    names, arns, resources = [], [], []
    for spec in specs:
        name = namer.physical(service, spec.key, "alarm")
        action = topics[spec.severity]
        metric_args = _metric_args(spec.metric) if spec.metric is not None else {}
        alarm = aws.cloudwatch.MetricAlarm(
            f"{logical_prefix}-{spec.key}",
            name=name,
            alarm_description=spec.description,
            comparison_operator=spec.comparison,
            threshold=spec.threshold,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            metric_queries=_queries(spec) or None,
            alarm_actions=[action],
            ok_actions=[action],
            actions_enabled=True,
            tags={**tags, "platform:severity": spec.severity.value},
            opts=pulumi.ResourceOptions(parent=parent),
            **metric_args,
        )
        names.append(name)
        arns.append(alarm_arn(ctx, name))
        resources.append(alarm)
    return EmittedAlarms(names, arns, resources)


def emit_health_alarm(alarms: EmittedAlarms, *, namer: Namer, ctx: AccountContext, service: str, stack: str,
                      topic: pulumi.Input[str], tags: Mapping[str, str], parent: pulumi.Resource,
                      logical_prefix: str) -> tuple[str, str]:
    """One composite per service, so an on-call view can show one light per service."""
    name = namer.physical(service, "health", "alarm")
    aws.cloudwatch.CompositeAlarm(
        f"{logical_prefix}-health",
        alarm_name=name,
        alarm_description=health_alarm_description(service, stack),
        alarm_rule=health_alarm_rule(alarms.names),
        alarm_actions=[topic],
        ok_actions=[topic],
        actions_enabled=True,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=alarms.resources),
    )
    return name, alarm_arn(ctx, name)
