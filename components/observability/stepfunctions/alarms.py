"""Default alarms for a Step Functions state machine (AWS/States, dimension StateMachineArn).

- ExecutionsFailed (Sum) against ``sfn_failed_executions``;
- ExecutionsTimedOut (Sum) >= 1, critical: a workflow stopped mid-way;
- ExecutionThrottled (Sum) >= 1, warning;
- ExecutionsAborted (Sum) >= 1, warning: someone or something stopped an execution mid-way;
- p99 ExecutionTime as % of the definition's TimeoutSeconds, when it has one.
"""

from __future__ import annotations

from components.observability._factory import (ONE_DATAPOINT, alarm_spec, fmt, metric, profile_window,
                                               severity_alarms)
from components.observability.model import AlarmSpec, MetricStat, Severity
from components.observability.refs import StateMachineRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/States"


def _stat(machine: StateMachineRef, name: str, period: int) -> MetricStat:
    return metric(NAMESPACE, name, {"StateMachineArn": machine.state_machine_arn}, "Sum", period)


def _fixed(machine: StateMachineRef, t: AlarmThresholds, name: str, kind: str, severity: Severity, meaning: str, check: str) -> AlarmSpec:
    """A single timed-out or throttled execution already matters, whatever the profile's window."""
    return alarm_spec(
        ("sfn", machine.key_part, kind),
        severity,
        summary=f"{machine.state_machine_name}: {name} >= 1",
        meaning=meaning,
        check_first=check,
        threshold=1.0,
        window=ONE_DATAPOINT,
        metric=_stat(machine, name, t.period_seconds),
    )


def state_machine_alarms(machine: StateMachineRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return [
        *severity_alarms(
            t.sfn_failed_executions,
            ("sfn", machine.key_part, "failed"),
            window=profile_window(t),
            summary=lambda value: f"{machine.state_machine_name}: >= {fmt(value)} failed executions per {t.period_seconds}s",
            meaning=lambda _: (
                f"Executions of {machine.state_machine_name} failed after their retries and catch handlers; "
                "compensation steps may have run."
            ),
            check_first="the execution event history in the Step Functions console (first failed state and its "
            "error), then that task's Lambda logs by trace id.",
            metric=_stat(machine, "ExecutionsFailed", t.period_seconds),
        ),
        _fixed(machine, t, "ExecutionsTimedOut", "timed-out", Severity.CRITICAL,
               f"An execution of {machine.state_machine_name} hit its TimeoutSeconds and stopped mid-workflow.",
               "the state that was running at timeout in the event history and its downstream call latency."),
        _fixed(machine, t, "ExecutionThrottled", "throttled", Severity.WARNING,
               f"StartExecution or state transitions of {machine.state_machine_name} were throttled.",
               "the Step Functions account quotas and bursts of callers starting executions."),
        _fixed(machine, t, "ExecutionsAborted", "aborted", Severity.WARNING,
               f"An execution of {machine.state_machine_name} was stopped before it finished; its compensation did "
               "not run.",
               "CloudTrail for StopExecution calls, then the stopped execution's last state."),
        *duration_alarms(machine, t),
    ]


def duration_alarms(machine: StateMachineRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """Relative to the workflow's own timeout, like Lambda duration: one profile fits every workflow."""
    if not machine.timeout_seconds:
        return []
    timeout = machine.timeout_seconds

    def threshold_ms(pct: float) -> float:
        return pct * timeout * 1000 / 100

    return severity_alarms(
        t.sfn_duration_pct_of_timeout, ("sfn", machine.key_part, "duration"),
        window=profile_window(t),
        summary=lambda pct: f"{machine.state_machine_name}: p99 execution time >= {fmt(pct)}% of its {timeout}s timeout",
        meaning=lambda pct: (f"p99 ExecutionTime of {machine.state_machine_name} reached {fmt(threshold_ms(pct))} ms, "
                             f"{fmt(pct)}% of its {timeout} s timeout; slower executions will time out."),
        check_first="the slowest state in a recent execution's event history (retries with backoff add up), then "
        "that task's duration.",
        threshold=threshold_ms,
        metric=metric(NAMESPACE, "ExecutionTime", {"StateMachineArn": machine.state_machine_arn}, "p99",
                      t.period_seconds))
