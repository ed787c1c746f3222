"""ScheduledJob: an EventBridge Scheduler schedule in a time zone, whose failed and missed runs both alarm."""
from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from hypothesis import assume, given, settings as hypothesis_settings, strategies as st
from pyawscron import AWSCron

from components.observability.scheduler.alarms import missed_run_window
from components.services.http_service import TableSpec
from components.services.scheduled_job import ScheduledJobArgs
from components.services.schedule_plan import SCAN_YEARS, ScheduleError, parse_schedule, time_zones
from tests.component.harness import (Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, names_argument,
                                     policy, section_titles)

WEEKDAYS = "cron(30 2 ? * MON-FRI *)"


@in_catalog
def declare(platform):
    platform.add("nightly", ScheduledJobArgs(
        handler="handlers.nightly.app.handler", schedule=WEEKDAYS, time_zone="Europe/Lisbon",
        payload={"report": "daily", "format": "csv"}, flexible_window_minutes=10, idempotency=True,
        tables=[TableSpec(hash_key="day", actions=("dynamodb:PutItem",))]))
    platform.add("pulse", ScheduledJobArgs(handler="handlers.pulse.app.handler", schedule="rate(5 minutes)"))
    platform.add("weekly", ScheduledJobArgs(handler="handlers.weekly.app.handler", schedule="cron(0 6 ? * MON *)",
                                            watch_missed_runs=False))


@pytest.fixture(scope="module")
def jobs() -> Run:
    return catalog()


def test_schedule_runs_the_job_in_its_time_zone_with_retries_a_dlq_and_a_flexible_window(jobs):
    schedule = jobs.view.get("nightly-schedule").inputs
    assert (schedule["name"], schedule["groupName"]) == ("platform-dev-nightly-schedule", "platform-dev-nightly-schedules")
    assert (schedule["scheduleExpression"], schedule["scheduleExpressionTimezone"]) == (WEEKDAYS, "Europe/Lisbon")
    assert schedule["flexibleTimeWindow"] == {"mode": "FLEXIBLE", "maximumWindowInMinutes": 10}
    assert schedule["state"] == "ENABLED" and schedule["kmsKeyArn"].startswith("arn:aws:kms:eu-west-1:")
    target = schedule["target"]
    assert target["arn"] == arn("lambda", "function:platform-dev-nightly-job")
    assert target["roleArn"] == "arn:aws:iam::123456789012:role/platform-dev-nightly-scheduler"
    assert json.loads(target["input"]) == {"report": "daily", "format": "csv"}
    assert target["retryPolicy"] == {"maximumRetryAttempts": 4, "maximumEventAgeInSeconds": 86400}
    assert target["deadLetterConfig"] == {"arn": arn("sqs", "platform-dev-nightly-schedule-dlq")}
    pulse = jobs.view.get("pulse-schedule").inputs
    assert pulse["flexibleTimeWindow"] == {"mode": "OFF"} and pulse["scheduleExpressionTimezone"] == "UTC"
    assert jobs.view.get("nightly-schedule-group").inputs["name"] == "platform-dev-nightly-schedules"


def test_scheduler_role_may_run_this_job_and_keep_its_failed_runs_nothing_else(jobs):
    trust = json.loads(jobs.view.get("nightly-scheduler").inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    statements = policy(jobs.view, "nightly-scheduler-policy")
    assert set(statements) == {"RunJob", "KeepFailedRuns", "UseStackKeyViaSqs"}
    assert (statements["RunJob"]["Action"], statements["RunJob"]["Resource"]) == (
        ["lambda:InvokeFunction"], arn("lambda", "function:platform-dev-nightly-job"))
    assert (statements["KeepFailedRuns"]["Action"], statements["KeepFailedRuns"]["Resource"]) == (
        ["sqs:SendMessage"], arn("sqs", "platform-dev-nightly-schedule-dlq"))


def test_job_function_keeps_events_it_fails_on_in_its_own_failure_queue(jobs):
    config = jobs.view.get("nightly-job-async").inputs
    assert (config["maximumRetryAttempts"], config["maximumEventAgeInSeconds"]) == (2, 6 * 3600)
    assert config["destinationConfig"] == {"onFailure": {"destination": arn("sqs", "platform-dev-nightly-job-failed")}}
    statements = policy(jobs.view, "nightly-job-policy")
    assert statements["DeliverAsyncResults"] == {"Sid": "DeliverAsyncResults", "Effect": "Allow",
                                                 "Action": ["sqs:SendMessage"],
                                                 "Resource": arn("sqs", "platform-dev-nightly-job-failed")}
    assert set(statements) == {"WriteOwnLogs", "WriteTraces", "UseOwnTable", "UseOwnIdempotency",
                               "DeliverAsyncResults", "UseStackKeyViaDynamodbSqs"}
    fn = jobs.view.get("nightly-job-function").inputs
    assert (fn["timeout"], fn["reservedConcurrentExecutions"]) == (20, -1)   # workerTimeoutSeconds


def test_alarm_set_any_failed_run_missed_run_target_errors_lost_runs_and_dlq_depth(jobs):
    assert alarm_keys(jobs.view, "nightly") == {
        "lambda-job-errors-critical", "lambda-job-throttles-warning", "lambda-job-throttles-critical",
        "lambda-job-duration-warning", "lambda-job-duration-critical", "lambda-job-async-lost-critical",
        "schedule-schedule-missed-critical", "schedule-schedule-target-errors-warning",
        "schedule-schedule-dropped-critical", "schedule-schedule-dlq-failed-critical",
        "sqs-schedule-dlq-dlq-depth-critical", "sqs-job-failed-dlq-depth-critical",
        *(f"dynamodb-{table}-{kind}-{severity}" for table in ("table", "idempotency")
          for kind in ("throttles", "system-errors") for severity in ("warning", "critical"))}
    by_name = alarms(jobs.view, "nightly")
    failed = by_name["platform-dev-nightly-lambda-job-errors-critical"]
    assert (failed["metricName"], failed["statistic"], failed["threshold"], failed["evaluationPeriods"]) == (
        "Errors", "Sum", 1, 1)
    assert "metricQueries" not in failed        # no minimum-invocation guard: a daily job fails once a day at most
    for key, metric in (("target-errors-warning", "TargetErrorCount"), ("dropped-critical", "InvocationDroppedCount"),
                        ("dlq-failed-critical", "InvocationsFailedToBeSentToDeadLetterCount")):
        alarm = by_name[f"platform-dev-nightly-schedule-schedule-{key}"]
        assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"], alarm["threshold"]) == (
            "AWS/Scheduler", metric, {"ScheduleGroup": "platform-dev-nightly-schedules"}, 1)


def longest_gap(expression: str, time_zone: str) -> int:
    """The longest real time between two runs over a year, with the zone's clock changes."""
    zone = zoneinfo.ZoneInfo(time_zone)
    fields = expression.removeprefix("cron(").removesuffix(")")
    start = dt.datetime(dt.date.today().year, 1, 1, tzinfo=dt.timezone.utc)
    local = AWSCron.get_all_schedule_bw_dates(start, start + dt.timedelta(days=366), fields)
    runs = [t.replace(tzinfo=zone).timestamp() for t in local]   # the fields are wall-clock times of the zone
    return int(max(b - a for a, b in zip(runs, runs[1:])))


def test_a_job_too_rare_to_watch_for_missed_runs_keeps_every_other_alarm(jobs):
    """A weekly job cannot have a missed-run alarm (7 days is CloudWatch's look-back); its opt-out drops
    that alarm alone."""
    weekly, nightly = alarm_keys(jobs.view, "weekly"), alarm_keys(jobs.view, "nightly")
    assert "schedule-schedule-missed-critical" not in weekly
    assert weekly == {key for key in nightly if not key.startswith("dynamodb-")} - {"schedule-schedule-missed-critical"}


def test_a_job_too_rare_to_watch_is_refused_until_it_opts_out():
    weekly = {"schedule": "cron(0 6 ? * MON *)"}
    assert any("watch_missed_runs=False" in problem for problem in problems_of(**weekly))
    assert problems_of(**weekly, watch_missed_runs=False) == []


def test_missed_run_alarm_waits_the_longest_real_gap_plus_window_and_grace_and_breaches_on_silence(jobs):
    missed = alarms(jobs.view, "nightly")["platform-dev-nightly-schedule-schedule-missed-critical"]
    assert (missed["metricName"], missed["dimensions"], missed["statistic"]) == (
        "Invocations", {"FunctionName": "platform-dev-nightly-job"}, "Sum")
    assert (missed["comparisonOperator"], missed["threshold"], missed["treatMissingData"]) == (
        "LessThanThreshold", 1, "breaching")
    assert missed["datapointsToAlarm"] == missed["evaluationPeriods"]
    covered = missed["period"] * missed["evaluationPeriods"]
    # Friday 02:30 to Monday 02:30 in Lisbon is 73 h on the weekend the clocks go back.
    assert longest_gap(WEEKDAYS, "Europe/Lisbon") == 73 * 3600
    assert covered >= 73 * 3600 + 10 * 60 + 30 * 60
    assert covered <= 7 * 24 * 3600
    pulse = alarms(jobs.view, "pulse")["platform-dev-pulse-schedule-schedule-missed-critical"]
    assert (pulse["period"], pulse["evaluationPeriods"]) == (60, 35)   # 5 min + 30 min grace, by the minute


@hypothesis_settings(max_examples=20, deadline=None)
@given(zone=st.sampled_from(sorted(time_zones())), hour=st.sampled_from([9, 12, 17]),
       grace=st.sampled_from([5, 30, 60]))
def test_a_daily_jobs_missed_run_alarm_never_fires_between_two_runs_in_any_time_zone(zone, hour, grace):
    expression = f"cron(0 {hour} * * ? *)"
    job = ScheduledJobArgs(handler="h.app.handler", schedule=expression, time_zone=zone, grace_minutes=grace)
    assert job.problems(CORE) == []
    period, periods = missed_run_window(job.watched_interval_seconds(CORE), grace * 60)
    assert period * periods >= longest_gap(expression, zone) + grace * 60


def test_dashboard_sections_and_services_output(jobs):
    assert section_titles(jobs.view, "nightly") == [
        "Lambda platform-dev-nightly-job", "DynamoDB platform-dev-nightly-table",
        "DynamoDB platform-dev-nightly-idempotency", "SQS dead-letter queue platform-dev-nightly-schedule-dlq",
        "SQS dead-letter queue platform-dev-nightly-job-failed", "Schedule platform-dev-nightly-schedule", "Logs"]
    entry = jobs.view.outputs["services"]["nightly"]
    assert (entry["kind"], entry["schedule"], entry["functionName"]) == (
        "scheduled-job", f"{WEEKDAYS} Europe/Lisbon", "platform-dev-nightly-job")


# -- the schedule planner ---------------------------------------------------------------------------
CORE = core_for()
ZONES = zoneinfo.available_timezones()
NUMBER = st.integers(0, 99).map(str)
PIECE = st.one_of(NUMBER, st.sampled_from(["*", "?", "L", "LW", "W", "15W", "MON", "FRI", "JAN", "DEC", "2#3",
                                           "6L", "L-2", "#", "/", "-", "SUN-SAT"]),
                  st.tuples(NUMBER, NUMBER).map("-".join), st.tuples(st.sampled_from(["*", "0", "5"]), NUMBER)
                  .map("/".join), st.tuples(NUMBER, NUMBER, NUMBER).map(lambda t: f"{t[0]}-{t[1]}/{t[2]}"))
FIELD = st.lists(PIECE, min_size=1, max_size=3).map(",".join)


@hypothesis_settings(max_examples=150, deadline=None)
@given(fields=st.lists(FIELD, min_size=4, max_size=7))
def test_every_expression_is_planned_or_rejected_with_a_schedule_error_never_a_crash(fields):
    expression = f"cron({' '.join(fields)})"
    try:
        schedule = parse_schedule(expression)
    except ScheduleError as error:
        assert str(error).startswith(repr(expression))
    else:
        assert schedule.max_interval_seconds > 0


@hypothesis_settings(max_examples=200, deadline=None)
@given(value=st.integers(-2, 500), unit=st.sampled_from(["minute", "minutes", "hour", "hours", "day", "days",
                                                          "week", "weeks"]))
def test_rates_are_whole_minutes_hours_or_days_singular_only_for_one(value, unit):
    expression = f"rate({value} {unit})"
    valid = value >= 1 and unit.rstrip("s") in ("minute", "hour", "day") and (value == 1) == (not unit.endswith("s"))
    try:
        schedule = parse_schedule(expression)
    except ScheduleError:
        assert not valid
    else:
        assert valid
        assert schedule.max_interval_seconds == value * {"minute": 60, "hour": 3600, "day": 86400}[unit.rstrip("s")]


@pytest.mark.parametrize("expression, gap_days", [
    ("cron(0 0 31 * ? *)", 61), ("cron(0 0 L * ? *)", 31), ("cron(0 0 ? * 6L *)", 35), ("cron(0 0 29 2 ? *)", 4 * 365 + 1),
    ("cron(0 0 ? * MON#5 *)", None)])
def test_month_ends_and_rare_days_give_their_longest_gap(expression, gap_days):
    if gap_days is None:   # a fifth Monday comes in some months only; the longest wait spans months
        assert parse_schedule(expression).max_interval_seconds > 60 * 86400
    else:
        assert parse_schedule(expression).max_interval_seconds == gap_days * 86400


def coarse_crons():
    """Hour-or-coarser schedules, cheap enough for pyawscron to list every run over the scan."""
    minute = st.integers(0, 59).map(str)
    hour = st.one_of(st.integers(0, 23).map(str), st.sampled_from(["8,20", "0-23/12"]))
    by_month_day = st.tuples(st.sampled_from(["1", "15", "L", "15W", "1W", "28-30", "1,15", "10-20/5"]),
                             st.sampled_from(["*", "JAN,JUL", "2", "FEB-APR", "*/3"]),
                             st.just("?"))
    by_weekday = st.tuples(st.just("?"), st.sampled_from(["*", "MAR-OCT", "1,12"]),
                           st.sampled_from(["MON", "SAT,SUN", "2#1", "6#5", "6L", "1L", "TUE-THU"]))
    return st.tuples(minute, hour, st.one_of(by_month_day, by_weekday)).map(
        lambda t: f"{t[0]} {t[1]} {t[2][0]} {t[2][1]} {t[2][2]} *")


@hypothesis_settings(max_examples=20, deadline=None)
@given(fields=coarse_crons())
def test_the_longest_cron_gap_is_the_longest_gap_between_pyawscron_occurrences(fields):
    year = dt.date.today().year
    start = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    runs = AWSCron.get_all_schedule_bw_dates(start, dt.datetime(year + SCAN_YEARS, 1, 1, tzinfo=dt.timezone.utc),
                                             fields)
    assume(len(runs) >= 2)
    expected = max(int((b - a).total_seconds()) for a, b in zip(runs, runs[1:]))
    assert parse_schedule(f"cron({fields})").max_interval_seconds == expected


# -- bad arguments --------------------------------------------------------------------------------
def problems_of(**args) -> list[str]:
    return ScheduledJobArgs(handler=args.pop("handler", "h.app.handler"), schedule=args.pop("schedule", "rate(1 hour)"),
                            **args).problems(CORE)



@pytest.mark.parametrize("expression", [
    "cron(0 7 * * *)", "cron(0 7 * * ? * *)", "cron(0 7 * * MON *)", "cron(0 7 ? * ? *)", "cron(60 7 * * ? *)",
    "cron(0 24 * * ? *)", "cron(0 7 32 * ? *)", "cron(0 7 ? * 8 *)", "cron(0 7 ? * MON#6 *)", "cron(0 7 * * ? 2200)",
    "cron(0 7 31 2 ? *)", "cron(0 7 * * ? 2020)", "cron(5-3 7 * * ? *)", "at(2030-01-01T00:00:00)", "daily",
    "rate(1 minutes)", "rate(0 hours)", "rate(5 seconds)"])
def test_a_schedule_aws_would_reject_or_that_never_recurs_is_named(expression):
    problems = problems_of(schedule=expression)
    assert names_argument(problems, f"schedule = {expression!r}: {expression!r}"), problems


@hypothesis_settings(max_examples=200, deadline=None)
@given(zone=st.one_of(st.text(max_size=25), st.sampled_from(["Europe/Lisbon", "Mars/Olympus", "utc", "CET",
                                                              "America/New_York", "GMT+1", "Europe/lisbon"])))
def test_a_time_zone_must_be_one_scheduler_knows(zone):
    assert names_argument(problems_of(time_zone=zone), f"time_zone = {zone!r}") == (zone not in ZONES)


@hypothesis_settings(max_examples=100, deadline=None)
@given(minutes=st.integers(1, 59), window=st.integers(0, 1500))
def test_a_flexible_window_must_be_shorter_than_the_interval(minutes, window):
    problems = problems_of(schedule=f"rate({minutes} minute{'s' if minutes > 1 else ''})",
                           flexible_window_minutes=window)
    assert names_argument(problems, "flexible_window_minutes") == (window >= minutes or window > 1440)


@pytest.mark.parametrize("args, argument", [
    ({"schedule": "cron(0 0 1 * ? *)"}, "schedule = 'cron(0 0 1 * ? *)': the schedule can stay quiet"),
    ({"schedule": "rate(7 days)"}, "schedule = 'rate(7 days)': the schedule can stay quiet"),
    ({"schedule": "cron(0 6 ? * MON *)", "grace_minutes": 5}, "schedule = 'cron(0 6 ? * MON *)': the schedule can"),
    ({"max_retries": 186}, "max_retries = 186"),
    ({"max_retries": -1}, "max_retries = -1"),
    ({"flexible_window_minutes": -1}, "flexible_window_minutes = -1"),
    ({"payload": {"when": dt.date(2030, 1, 1)}}, "payload: must be JSON-serialisable"),
    ({"handler": "job"}, "handler = 'job'"),
    ({"timeout_seconds": 0}, "timeout_seconds = 0"),
    ({"grace_minutes": 0}, "grace_minutes = 0"),
])
def test_each_bad_argument_is_named(args, argument):
    problems = problems_of(**args)
    assert names_argument(problems, argument), problems
