"""Dashboard widgets for a Step Functions state machine."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.refs import StateMachineRef
from components.observability.stepfunctions.alarms import NAMESPACE


def state_machine_widgets(machine: StateMachineRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Execution outcomes and execution time p50/p99."""
    dims = {"StateMachineArn": machine.state_machine_arn}

    q = ResourceMetrics(NAMESPACE, dims, period).query

    return [
        metric_widget(f"{machine.state_machine_name}: executions",
                      [q("started", "ExecutionsStarted", "Sum", "started"),
                       q("succeeded", "ExecutionsSucceeded", "Sum", "succeeded"),
                       q("failed", "ExecutionsFailed", "Sum", "failed"),
                       q("timed_out", "ExecutionsTimedOut", "Sum", "timed out"),
                       q("aborted", "ExecutionsAborted", "Sum", "aborted")],
                      region, stat="Sum", period=period, width=12),
        metric_widget(f"{machine.state_machine_name}: execution time",
                      [q("time_p50", "ExecutionTime", "p50", "p50"), q("time_p99", "ExecutionTime", "p99", "p99")],
                      region, period=period, width=12, y_axis={"left": {"min": 0, "label": "ms", "showUnits": False}}),
    ]
