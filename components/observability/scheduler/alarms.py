"""Default alarms for a scheduled job (AWS/Scheduler, dimension ScheduleGroup; AWS/Lambda for runs).

- a run that did not happen: no invocation of the job's function within its longest interval plus a
  grace period, with missing data treated as breaching (missing data is exactly the symptom);
- TargetErrorCount >= 1, warning: Scheduler could not invoke the function and is retrying;
- InvocationDroppedCount >= 1 and InvocationsFailedToBeSentToDeadLetterCount >= 1, critical: a run
  that was neither delivered nor kept.
Failed runs alarm through the function's low-traffic error alarm; the schedule's DLQ depth through
the service's dead-letter queue.
"""

from __future__ import annotations

import math

from components.observability._factory import LT, ONE_DATAPOINT, alarm_key, alarm_spec, metric
from components.observability.descriptions import alarm_description
from components.observability.lambda_.alarms import NAMESPACE as LAMBDA_NAMESPACE
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import ScheduleRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Scheduler"
#: PutMetricAlarm: period x evaluation periods at most one day for periods under an hour, seven days above.
ONE_DAY, SEVEN_DAYS = 86_400, 604_800
BREACHING = "breaching"


class UnwatchableScheduleError(ValueError):
    """A schedule whose longest quiet spell CloudWatch cannot evaluate in one alarm."""


def missed_run_window(max_interval_seconds: int, grace_seconds: int) -> tuple[int, int]:
    """(period, evaluation periods) covering the interval plus grace, within CloudWatch's limits."""
    total = max_interval_seconds + grace_seconds
    if total <= ONE_DAY:
        period = 60 if total < 3600 else 300
    elif total <= SEVEN_DAYS:
        period = 3600
    else:
        raise UnwatchableScheduleError(
            f"the schedule can stay quiet {total // 3600} h including the grace period; a missed-run alarm can "
            f"look back at most {SEVEN_DAYS // 3600} h")
    return period, math.ceil(total / period)


def missed_run_alarm(schedule: ScheduleRef) -> AlarmSpec:
    period, periods = missed_run_window(schedule.max_interval_seconds, schedule.grace_seconds)
    hours = (schedule.max_interval_seconds + schedule.grace_seconds) / 3600
    return AlarmSpec(
        key=alarm_key("schedule", schedule.key_part, "missed", Severity.CRITICAL.value),
        severity=Severity.CRITICAL,
        summary=f"{schedule.function_name}: no run in {hours:g} h",
        description=alarm_description(
            f"{schedule.function_name} ran no time in {hours:g} h: its schedule {schedule.expression} should run it "
            f"at least every {schedule.max_interval_seconds / 3600:g} h. A job created less than that ago alarms "
            "until its first run.",
            f"the schedule {schedule.schedule_name} is ENABLED, its group's TargetErrorCount and dead-letter queue, "
            "then the function's throttles."),
        comparison=LT,
        threshold=1.0,
        evaluation_periods=periods,
        datapoints_to_alarm=periods,
        treat_missing_data=BREACHING,
        metric=metric(LAMBDA_NAMESPACE, "Invocations", {"FunctionName": schedule.function_name}, "Sum", period),
    )


def _group_alarm(schedule: ScheduleRef, t: AlarmThresholds, metric_name: str, kind: str, severity: Severity,
                 meaning: str, check: str) -> AlarmSpec:
    return alarm_spec(
        ("schedule", schedule.key_part, kind), severity,
        summary=f"{schedule.schedule_name}: {metric_name} >= 1",
        meaning=meaning, check_first=check, threshold=1.0, window=ONE_DATAPOINT,
        metric=metric(NAMESPACE, metric_name, {"ScheduleGroup": schedule.group_name}, "Sum", t.period_seconds))


def schedule_alarms(schedule: ScheduleRef, t: AlarmThresholds) -> list[AlarmSpec]:
    missed = [missed_run_alarm(schedule)] if schedule.watch_missed_runs else []
    return [
        *missed,
        _group_alarm(schedule, t, "TargetErrorCount", "target-errors", Severity.WARNING,
                     f"EventBridge Scheduler could not invoke {schedule.function_name} for {schedule.schedule_name} "
                     "and is retrying.",
                     "the schedule role's lambda:InvokeFunction permission and the function's throttles."),
        _group_alarm(schedule, t, "InvocationDroppedCount", "dropped", Severity.CRITICAL,
                     f"A run of {schedule.schedule_name} exhausted its retries and was dropped: that run did not "
                     "happen.",
                     "the schedule's dead-letter queue configuration, then TargetErrorCount."),
        _group_alarm(schedule, t, "InvocationsFailedToBeSentToDeadLetterCount", "dlq-failed", Severity.CRITICAL,
                     f"A failed run of {schedule.schedule_name} could not be kept in its dead-letter queue.",
                     "the schedule role's sqs:SendMessage and KMS permissions on the dead-letter queue."),
    ]

