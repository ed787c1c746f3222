"""Default alarms for a Step Functions state machine (AWS/States, dimension StateMachineArn).

- ExecutionsFailed (Sum) against ``sfn_failed_executions``;
- ExecutionsTimedOut (Sum) >= 1, critical: a workflow stopped mid-way;
- ExecutionThrottled (Sum) >= 1, warning.
"""

from __future__ import annotations

from components.observability._factory import GTE, NOT_BREACHING, alarm_key, fmt, metric, per_severity
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import StateMachineRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/States"


def _stat(machine: StateMachineRef, name: str, period: int):
    return metric(NAMESPACE, name, {"StateMachineArn": machine.state_machine_arn}, "Sum", period)


def _fixed(machine: StateMachineRef, t: AlarmThresholds, name: str, kind: str, severity: Severity, meaning: str, check: str) -> AlarmSpec:
    return AlarmSpec(
        key=alarm_key("sfn", machine.key_part, kind, severity.value),
        severity=severity,
        summary=f"{machine.state_machine_name}: {name} >= 1",
        description=alarm_description(meaning, check),
        comparison=GTE,
        threshold=1.0,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data=NOT_BREACHING,
        metric=_stat(machine, name, t.period_seconds),
    )


def state_machine_alarms(machine: StateMachineRef, t: AlarmThresholds) -> list[AlarmSpec]:
    def failed(severity: Severity, value: float) -> AlarmSpec:
        return AlarmSpec(
            key=alarm_key("sfn", machine.key_part, "failed", severity.value),
            severity=severity,
            summary=f"{machine.state_machine_name}: >= {fmt(value)} failed executions per {t.period_seconds}s",
            description=alarm_description(
                f"Executions of {machine.state_machine_name} failed after their retries and catch handlers; "
                "compensation steps may have run.",
                "the execution event history in the Step Functions console (first failed state and its "
                "error), then that task's Lambda logs by trace id.",
            ),
            comparison=GTE,
            threshold=value,
            evaluation_periods=t.evaluation_periods,
            datapoints_to_alarm=t.datapoints_to_alarm,
            treat_missing_data=NOT_BREACHING,
            metric=_stat(machine, "ExecutionsFailed", t.period_seconds),
        )

    return [
        *per_severity(t.sfn_failed_executions, failed),
        _fixed(machine, t, "ExecutionsTimedOut", "timed-out", Severity.CRITICAL,
               f"An execution of {machine.state_machine_name} hit its TimeoutSeconds and stopped mid-workflow.",
               "the state that was running at timeout in the event history and its downstream call latency."),
        _fixed(machine, t, "ExecutionThrottled", "throttled", Severity.WARNING,
               f"StartExecution or state transitions of {machine.state_machine_name} were throttled.",
               "the Step Functions account quotas and bursts of callers starting executions."),
    ]
