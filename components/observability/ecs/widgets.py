"""Dashboard widgets for an ECS service on Fargate, and its logs."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import (DEFAULT_PERIOD, HorizontalAnnotation, Widget,
                                                        log_insights_widget, metric_widget)
from components.observability.ecs.alarms import CONTAINER_ERRORS_QUERY, INSIGHTS_NAMESPACE, NAMESPACE, service_dimensions
from components.observability.refs import EcsServiceRef


def ecs_service_widgets(ecs: EcsServiceRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """CPU and memory utilisation, then running, pending and desired tasks."""
    m = ResourceMetrics(NAMESPACE, service_dimensions(ecs), period)
    insights = ResourceMetrics(INSIGHTS_NAMESPACE, service_dimensions(ecs), period)
    name = ecs.service_name
    percent = {"left": {"min": 0, "max": 100, "label": "%", "showUnits": False}}
    return [
        metric_widget(f"{name}: CPU (%)", [m.query("cpu_avg", "CPUUtilization", "Average", "average"),
                                           m.query("cpu_max", "CPUUtilization", "Maximum", "maximum")],
                      region, period=period, width=8, y_axis=percent),
        metric_widget(f"{name}: memory (%)", [m.query("memory_avg", "MemoryUtilization", "Average", "average"),
                                              m.query("memory_max", "MemoryUtilization", "Maximum", "maximum")],
                      region, period=period, width=8, y_axis=percent),
        metric_widget(f"{name}: tasks", [insights.query("running", "RunningTaskCount", "Average", "running"),
                                         insights.query("pending", "PendingTaskCount", "Average", "pending"),
                                         insights.query("desired", "DesiredTaskCount", "Average", "desired")],
                      region, period=period, width=8,
                      annotations=[HorizontalAnnotation("desired after deploy", ecs.desired_count, "#2ca02c")]),
    ]


def container_log_widgets(ecs: EcsServiceRef, region: str) -> list[Widget]:
    """Recent errors and 5XX lines of the service's containers (the app's JSON lines carry the trace id)."""
    return [log_insights_widget([ecs.log_group_name], CONTAINER_ERRORS_QUERY, region,
                                f"{ecs.service_name}: recent errors")]
