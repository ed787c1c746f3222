"""Dashboard widgets for a scheduled job: runs against the schedule, and Scheduler's delivery counts."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.lambda_.alarms import NAMESPACE as LAMBDA_NAMESPACE
from components.observability.refs import ScheduleRef
from components.observability.scheduler.alarms import NAMESPACE


def schedule_widgets(schedule: ScheduleRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    group = ResourceMetrics(NAMESPACE, {"ScheduleGroup": schedule.group_name}, period)
    runs = ResourceMetrics(LAMBDA_NAMESPACE, {"FunctionName": schedule.function_name}, 3600)
    return [
        metric_widget(f"{schedule.schedule_name}: runs per hour ({schedule.expression})",
                      [runs.query("runs", "Invocations", "Sum", "runs"), runs.query("failed", "Errors", "Sum", "failed")],
                      region, stat="Sum", period=3600, width=12),
        metric_widget(f"{schedule.schedule_name}: deliveries",
                      [group.query("attempts", "InvocationAttemptCount", "Sum", "attempts"),
                       group.query("target_errors", "TargetErrorCount", "Sum", "target errors"),
                       group.query("throttled", "InvocationThrottleCount", "Sum", "throttled"),
                       group.query("dropped", "InvocationDroppedCount", "Sum", "dropped"),
                       group.query("to_dlq", "InvocationsSentToDeadLetterCount", "Sum", "to DLQ")],
                      region, stat="Sum", period=period, width=12),
    ]
