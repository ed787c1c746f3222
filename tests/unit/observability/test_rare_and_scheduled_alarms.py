"""Low-traffic Lambda alarms, scheduled-job alarms (missed runs) and Firehose alarms."""
import dataclasses

import pytest
from hypothesis import given, strategies as st

from components.observability.firehose.alarms import delivery_stream_alarms, freshness_threshold_seconds
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.model import Severity
from components.observability.refs import DeliveryStreamRef, LambdaRef, ScheduleRef
from components.observability.scheduler.alarms import (ONE_DAY, SEVEN_DAYS, UnwatchableScheduleError,
                                                       missed_run_window, schedule_alarms)

FN = LambdaRef(function_name="platform-dev-report-job", timeout_seconds=30, log_group_name="/platform/dev/report/job",
               part="job")
SCHEDULE = ScheduleRef(schedule_name="platform-dev-report-schedule", group_name="platform-dev-report-schedules",
                       function_name=FN.function_name, expression="cron(0 7 * * ? *)", max_interval_seconds=86400,
                       grace_seconds=3600, part="schedule")


def test_a_busy_function_alarms_on_a_guarded_error_rate(thresholds):
    errors = [s for s in lambda_alarms(FN, thresholds) if "-errors-" in s.key]
    assert {s.severity for s in errors} == {Severity.WARNING, Severity.CRITICAL}
    assert all(s.queries and "IF(invocations >=" in s.queries[-1].expression for s in errors)


def test_a_low_traffic_function_alarms_on_any_single_error(thresholds):
    rare = dataclasses.replace(FN, low_traffic=True)
    (errors,) = [s for s in lambda_alarms(rare, thresholds) if "-errors-" in s.key]
    assert errors.severity is Severity.CRITICAL and errors.queries == ()
    assert (errors.metric.metric_name, errors.metric.stat, errors.threshold) == ("Errors", "Sum", 1.0)
    assert (errors.evaluation_periods, errors.datapoints_to_alarm) == (1, 1)


def test_a_missed_daily_run_alarms_after_the_interval_plus_grace_with_missing_data_breaching(thresholds):
    specs = {s.key: s for s in schedule_alarms(SCHEDULE, thresholds)}
    missed = specs["schedule-schedule-missed-critical"]
    assert (missed.metric.namespace, missed.metric.metric_name) == ("AWS/Lambda", "Invocations")
    assert missed.comparison == "LessThanThreshold" and missed.threshold == 1.0
    assert missed.treat_missing_data == "breaching"
    assert missed.metric.period * missed.evaluation_periods >= 86400 + 3600
    assert missed.datapoints_to_alarm == missed.evaluation_periods
    assert specs["schedule-schedule-target-errors-warning"].metric.dimensions == (
        ("ScheduleGroup", SCHEDULE.group_name),)
    assert {"schedule-schedule-dropped-critical", "schedule-schedule-dlq-failed-critical"} <= set(specs)


@given(st.integers(60, SEVEN_DAYS - 60), st.integers(0, 3600))
def test_missed_run_window_covers_the_quiet_spell_within_cloudwatch_limits(interval, grace):
    if interval + grace > SEVEN_DAYS:
        with pytest.raises(UnwatchableScheduleError):
            missed_run_window(interval, grace)
        return
    period, periods = missed_run_window(interval, grace)
    assert period * periods >= interval + grace
    assert period * (periods - 1) < interval + grace               # no more than one period of slack
    assert period * periods <= (ONE_DAY if period < 3600 else SEVEN_DAYS)


def test_a_schedule_quieter_than_a_week_cannot_be_watched():
    with pytest.raises(UnwatchableScheduleError, match="at most 168 h"):
        missed_run_window(SEVEN_DAYS, 3600)


def test_firehose_freshness_is_relative_to_the_buffer(thresholds):
    stream = DeliveryStreamRef(stream_name="platform-dev-clicks-archive", buffer_seconds=300, part="archive")
    specs = {s.key: s for s in delivery_stream_alarms(stream, thresholds)}
    warning = specs["firehose-archive-freshness-warning"]
    assert warning.threshold == freshness_threshold_seconds(300, thresholds.firehose_freshness_pct_of_buffer.warning)
    assert warning.metric.metric_name == "DeliveryToS3.DataFreshness"
    failed = specs["firehose-archive-delivery-warning"]
    assert (failed.metric.metric_name, failed.comparison, failed.threshold) == (
        "DeliveryToS3.Success", "LessThanThreshold", 1.0)
    assert freshness_threshold_seconds(0, 300) == 180  # a zero buffer still gets a 60 s floor
