"""Default alarms for an ECS service on Fargate (namespaces AWS/ECS and ECS/ContainerInsights).

Default set: average CPU and memory utilisation of the service's tasks, and fewer tasks running than
desired (Critical, from Container Insights), which catches tasks that crash, fail their health
checks or cannot start (an image that cannot be pulled, a role that cannot be assumed).
"""

from __future__ import annotations

from components.observability._factory import alarm_spec, fmt, metric, profile_window, severity_alarms
from components.observability.descriptions import logs_insights_hint
from components.observability.model import AlarmSpec, MetricQuery, Severity
from components.observability.refs import EcsServiceRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/ECS"
INSIGHTS_NAMESPACE = "ECS/ContainerInsights"

#: The app's own JSON lines (level, message, trace_id) and its access lines (status, path).
CONTAINER_ERRORS_QUERY = (
    'fields @timestamp, level, message, status, path, trace_id | filter level = "ERROR" or status >= 500 '
    "| sort @timestamp desc | limit 50"
)


def service_dimensions(ecs: EcsServiceRef) -> dict[str, str]:
    return {"ClusterName": ecs.cluster_name, "ServiceName": ecs.service_name}


def _utilisation_alarms(ecs: EcsServiceRef, t: AlarmThresholds, metric_name: str, what: str,
                        check_first: str) -> list[AlarmSpec]:
    thresholds = t.ecs_cpu_pct if what == "cpu" else t.ecs_memory_pct
    label = "CPU" if what == "cpu" else "memory"
    return severity_alarms(
        thresholds,
        ("ecs", ecs.key_part, what),
        window=profile_window(t),
        summary=lambda value: f"{ecs.service_name}: {label} >= {fmt(value)}%",
        meaning=lambda value: (
            f"Average {label} utilisation of the tasks of {ecs.service_name} was {fmt(value)}% or more in "
            f"{t.datapoints_to_alarm} of {t.evaluation_periods} periods."
        ),
        check_first=check_first,
        metric=metric(NAMESPACE, metric_name, service_dimensions(ecs), "Average", t.period_seconds),
    )


def cpu_alarms(ecs: EcsServiceRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return _utilisation_alarms(ecs, t, "CPUUtilization", "cpu",
                               "the running tasks against the scaling maximum on the dashboard (scaled out as far as "
                               "allowed?), then the request rate; raise the task CPU or the maximum.")


def memory_alarms(ecs: EcsServiceRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return _utilisation_alarms(ecs, t, "MemoryUtilization", "memory",
                               "whether memory grows with time rather than load (a leak: tasks restart when it is "
                               "full), then the task memory size.")


def running_below_desired_alarm(ecs: EcsServiceRef, t: AlarmThresholds) -> AlarmSpec:
    dims = service_dimensions(ecs)
    queries = (
        MetricQuery(id="desired", metric=metric(INSIGHTS_NAMESPACE, "DesiredTaskCount", dims, "Average",
                                                t.period_seconds)),
        MetricQuery(id="running", metric=metric(INSIGHTS_NAMESPACE, "RunningTaskCount", dims, "Average",
                                                t.period_seconds)),
        MetricQuery(id="missing", expression="desired - running", label="tasks missing", return_data=True),
    )
    return alarm_spec(
        ("ecs", ecs.key_part, "tasks-missing"),
        Severity.CRITICAL,
        summary=f"{ecs.service_name}: fewer tasks running than desired",
        meaning=f"Fewer tasks of {ecs.service_name} ran than ECS wanted in {t.datapoints_to_alarm} of "
        f"{t.evaluation_periods} periods: tasks are crashing, failing health checks or cannot start.",
        check_first="the service's Events tab and stopped tasks' 'stopped reason' in the ECS console (image pull, "
        "role, health check), then " + logs_insights_hint(ecs.log_group_name, CONTAINER_ERRORS_QUERY) + ".",
        threshold=1.0,
        window=profile_window(t),
        queries=queries,
    )


def ecs_service_alarms(ecs: EcsServiceRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set of one ECS service."""
    return [*cpu_alarms(ecs, t), *memory_alarms(ecs, t), running_below_desired_alarm(ecs, t)]
