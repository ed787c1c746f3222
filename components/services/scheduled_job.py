"""`ScheduledJob`: an EventBridge Scheduler schedule (cron or rate, in a time zone) that runs a function.

A daily job runs once, so the usual error-rate alarm could never fire for it: its function alarms on
any error (low-traffic semantics), and a run that did not happen alarms too, after the schedule's
longest quiet spell plus a grace period. Scheduler retries an invocation it could not make, then
keeps it in a dead-letter queue; the function's own failures are retried by Lambda and kept in its
failure queue. The schedule lives in a group of its own because Scheduler's metrics are per group.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.observability.refs import ScheduleRef, ServiceView
from components.observability.scheduler.alarms import UnwatchableScheduleError, missed_run_window
from components.resources.queues import dead_letter_queue
from components.services.access import statement
from components.services.function import AsyncInvocation, FunctionArgs
from components.services.schedule_plan import ScheduleError, clock_shift_seconds, parse_schedule, time_zones
from components.services.own_function import OwnFunction
from components.services.service import ServiceArgs, ServiceComponent, declared

#: EventBridge Scheduler: up to 185 retries and 24 hours per run.
MAX_RETRIES = 185
MAX_EVENT_AGE_SECONDS = 86400
#: The missed-run alarm needs a moment past the longest gap: a run starts a little after its minute.
MIN_GRACE_MINUTES = 5


@dataclass(frozen=True)
class ScheduledJobArgs(OwnFunction, ServiceArgs["ScheduledJob"]):
    schedule: str                              # cron(...) or rate(...)
    time_zone: str = "UTC"
    #: The event each run receives.
    payload: Mapping[str, Any] = field(default_factory=dict)
    max_retries: int | None = None             # None: the profile's scheduleMaxRetries
    flexible_window_minutes: int | None = None  # None: the profile's
    grace_minutes: int | None = None           # None: the profile's scheduleGraceMinutes
    #: A missed-run alarm looks back at most 7 days, so a weekly or monthly job cannot have one: it must
    #: say so with False (its failed, dropped and undeliverable runs still alarm).
    watch_missed_runs: bool = True

    def function_args(self, core: PlatformCore) -> FunctionArgs:
        """A run that fails is one lost run: any error alarms, and Lambda keeps what it gave up on."""
        return self.own_function(core, low_traffic=True, async_invocation=AsyncInvocation())

    def resolved(self, core: PlatformCore) -> tuple[int, int, int]:
        """(max retries, flexible window minutes, grace minutes)."""
        profile = core.settings.services.schedules
        return (declared(self.max_retries, profile.max_retries),
                declared(self.flexible_window_minutes, profile.flexible_window_minutes),
                declared(self.grace_minutes, profile.grace_minutes))

    def watched_interval_seconds(self, core: PlatformCore, longest_gap: int | None = None) -> int:
        """The longest real time between two runs: the expression's longest gap, the zone's clock change
        (cron follows the wall clock) and the flexible window. The missed-run alarm waits this plus grace."""
        if longest_gap is None:
            longest_gap = parse_schedule(self.schedule).max_interval_seconds
        shift = clock_shift_seconds(self.time_zone) if self.schedule.startswith("cron(") else 0
        return longest_gap + shift + self.resolved(core)[1] * 60

    def problems(self, core: PlatformCore) -> list[str]:
        found = self.function_args(core).problems()
        retries, window, grace = self.resolved(core)
        try:
            interval = parse_schedule(self.schedule).max_interval_seconds
        except ScheduleError as error:
            found.append(f"schedule = {self.schedule!r}: {error}")
            interval = None
        zone_known = self.time_zone in time_zones()
        if not zone_known:
            found.append(f"time_zone = {self.time_zone!r}: an IANA time zone such as Europe/Lisbon")
        if not 0 <= retries <= MAX_RETRIES:
            found.append(f"max_retries = {retries}: Scheduler allows 0 to {MAX_RETRIES}")
        if not 0 <= window <= 1440:
            found.append(f"flexible_window_minutes = {window}: 0 (off) to 1440")
        if not MIN_GRACE_MINUTES <= grace <= 1440:
            found.append(f"grace_minutes = {grace}: {MIN_GRACE_MINUTES} to 1440, as scheduleGraceMinutes allows")
        if interval is not None:
            if window * 60 >= interval:
                found.append(f"flexible_window_minutes = {window}: must be shorter than the schedule's interval "
                             f"({interval // 60} min), or runs could overlap")
            try:
                if zone_known and self.watch_missed_runs:
                    missed_run_window(self.watched_interval_seconds(core, interval), grace * 60)
            except UnwatchableScheduleError as error:
                found.append(f"schedule = {self.schedule!r}: {error}; a job this rare needs "
                             "watch_missed_runs=False (its failed runs still alarm)")
        try:
            json.dumps(self.payload)
        except (TypeError, ValueError):
            found.append("payload: must be JSON-serialisable")
        return found

    def build(self, service: str, core: PlatformCore) -> ScheduledJob:
        return ScheduledJob(service, self, core)


class ScheduledJob(ServiceComponent):
    kind = "scheduled-job"

    def __init__(self, service: str, args: ScheduledJobArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:ScheduledJob", service, core)
        retries, window, grace = args.resolved(core)
        namer = core.namer
        self.add_tables(args.tables, idempotency=args.idempotency)
        self.function = self.add_function("job", args.function_args(core))
        self.dead_letters = dead_letter_queue(f"{service}-schedule-dlq", core, service, "schedule-dlq", parent=self)
        self.group_name = namer.physical(service, "schedules", "schedule")
        group = aws.scheduler.ScheduleGroup(f"{service}-schedule-group", name=self.group_name, tags=self.tags,
                                            opts=self.child)
        role = aws.iam.Role(
            f"{service}-scheduler", name=namer.physical(service, "scheduler", "iam_role"),
            assume_role_policy=iam.document([{
                "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": core.account.account_id}}}]),
            tags=self.tags, opts=self.child)
        policy = aws.iam.RolePolicy(
            f"{service}-scheduler-policy", role=role.id,
            policy=pulumi.Output.all(
                statement("RunJob", ["lambda:InvokeFunction"], self.function.arn),
                statement("KeepFailedRuns", ["sqs:SendMessage"], self.dead_letters.arn),
                core.key.arn.apply(lambda arn: iam.use_key_via(core.account, arn, ["sqs"]))).apply(iam.document),
            opts=self.child)
        self.schedule_name = namer.physical(service, "schedule", "schedule")
        aws.scheduler.Schedule(
            f"{service}-schedule", name=self.schedule_name, group_name=group.name,
            description=args.description or f"{service}: {args.schedule} ({args.time_zone})",
            schedule_expression=args.schedule, schedule_expression_timezone=args.time_zone,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(
                mode="FLEXIBLE" if window else "OFF", maximum_window_in_minutes=window or None),
            kms_key_arn=core.key.arn, state="ENABLED",
            target=aws.scheduler.ScheduleTargetArgs(
                arn=self.function.arn, role_arn=role.arn, input=json.dumps(dict(args.payload), sort_keys=True),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=retries, maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=self.dead_letters.arn)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        interval = args.watched_interval_seconds(core)
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id,
                                 schedules=(ScheduleRef(schedule_name=self.schedule_name, group_name=self.group_name,
                                                        function_name=self.function.function_name,
                                                        expression=args.schedule, max_interval_seconds=interval,
                                                        grace_seconds=grace * 60, part="schedule",
                                                        watch_missed_runs=args.watch_missed_runs),),
                                 queues=(self.dead_letters.ref,)),
                     outputs={"schedule": f"{args.schedule} {args.time_zone}", "functionName": self.function.function_name})
