"""Turns raw stack config into `Settings`, reporting every problem at once.

A stack with three typos should need one `pulumi up` to learn about all three, and no resource may
be registered from a half-valid configuration, so parsing collects problems instead of raising on
the first one. Rules that span keys run over every value that parsed, alongside the per-key
problems, so fixing one problem never reveals another that was there all along.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping

from components.observability.model import SeverityThresholds
from components.observability.thresholds import AlarmThresholds
from components.settings import aws_provider
from components.settings.model import (AlarmRouting, ApiProfile, CafeProfile, ContainerProfile, DataProtection,
                                       LambdaProfile, NetworkProfile, OpenSearchProfile, QueueProfile, ScheduleProfile,
                                       SecurityProfile, ServiceProfile, Settings, ShippingProfile, StreamProfile,
                                       TracingProfile)
from components.settings.schema import KEYS, KEYS_BY_NAME, PROJECT, Invalid

DEFAULT_REGION = "us-east-1"
#: Namespaces besides the project's that a stack may set: the AWS provider's and the engine's own.
OTHER_NAMESPACES = (aws_provider.NAMESPACE, "pulumi")
#: Instance types on which OpenSearch Service offers no encryption at rest, which the platform requires.
NO_ENCRYPTION_AT_REST = frozenset({"t3.small.search", "t3.micro.search"})
MIN_ENGINE_VERSION = (2, 12)
#: PutMetricAlarm: "Period multiplied by EvaluationPeriods can't be more than 604,800 seconds. For
#: alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be
#: longer than one day (86,400 seconds)" (CloudWatch API Reference, PutMetricAlarm, Period).
ALARM_WINDOW_LIMIT_SECONDS = 604_800
SHORT_PERIOD_WINDOW_LIMIT_SECONDS = 86_400
SHORT_PERIOD_BELOW_SECONDS = 3_600
#: Multi-AZ with Standby keeps a full copy of the data in each of its 3 zones, so OpenSearch
#: enforces zone awareness: an index whose copies (primary + replicas) are not a multiple of 3 is
#: refused with "expected total copies needs to be a multiple of total awareness attributes [3]"
#: (Amazon OpenSearch Service Developer Guide, "Configuring a multi-AZ domain": Multi-AZ with Standby).
STANDBY_ZONES = 3


def shown(value: Any) -> str:
    """A value as the user wrote it, always in double quotes, so every message looks the same;
    undecodable bytes from the command line appear as escapes instead of breaking the output."""
    text = str(value).encode("utf-8", "backslashreplace").decode("utf-8")
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Problem:
    key: str
    value: Any          # the text as the CLI handed it over (or the default's, when the key is unset)
    allowed: str
    secret: bool = False

    def render(self, stack: str) -> str:
        value = "[secret]" if self.secret else shown(self.value)
        return f"stack '{stack}': {self.key} = {value} is not valid; allowed: {self.allowed}"


class SettingsError(ValueError):
    """Every problem found in a stack's configuration, in one message."""

    def __init__(self, stack: str, problems: list[Problem]) -> None:
        self.stack = stack
        self.problems = problems
        lines = "\n".join(f"  - {problem.render(stack)}" for problem in problems)
        super().__init__(f"Invalid configuration for stack '{stack}' ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}); no resources were created:\n{lines}")


def load_settings(stack: str, config: Mapping[str, Any], project: str = PROJECT) -> Settings:
    """Builds settings from fully-qualified config (`<project>:key` and other namespaces, as the CLI
    sends it). `project` is the project's name, which is the namespace of its own keys."""
    problems, values = _parse(config, project)
    if problems:
        raise SettingsError(stack, problems)
    region = str(config.get(f"{aws_provider.NAMESPACE}:region") or DEFAULT_REGION)
    return _build(project, stack, region, values)


def config_problems(config: Mapping[str, Any], project: str = PROJECT) -> list[Problem]:
    """Every problem `load_settings` would report, without raising."""
    return _parse(config, project)[0]


def _parse(config: Mapping[str, Any], project: str) -> tuple[list[Problem], dict[str, Any]]:
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    written: dict[str, Any] = {key.name: key.default_text for key in KEYS}
    for full_key, raw in sorted(config.items()):
        namespace, _, name = full_key.partition(":")
        if namespace == aws_provider.NAMESPACE:
            problems.extend(_aws_problems(full_key, name, raw))
            continue
        if namespace in OTHER_NAMESPACES:
            continue
        if namespace != project:
            problems.append(Problem(full_key, raw, f"a key in this project's namespace '{project}:' (the name in "
                                                   f"Pulumi.yaml), or in {' or '.join(OTHER_NAMESPACES)}"))
            continue
        key = KEYS_BY_NAME.get(name)
        if key is None:
            problems.append(Problem(full_key, raw, f"a known key ({_close_matches(name, project)})"))
            continue
        written[name] = raw
        try:
            values[name] = key.parse(raw)
        except Invalid as error:
            problems.append(Problem(full_key, raw, str(error), key.secret))
    for key in KEYS:
        if f"{project}:{key.name}" not in config:
            values[key.name] = key.parse(key.default_text)
    for rule in RULES:
        if all(name in values for name in rule.keys):
            problems.extend(Problem(f"{project}:{name}", written[name], allowed, KEYS_BY_NAME[name].secret)
                            for name, allowed in rule.check(values))
    return problems, values


def _close_matches(name: str, project: str) -> str:
    near = difflib.get_close_matches(name, KEYS_BY_NAME, n=1)
    return f"did you mean {project}:{near[0]}?" if near else "see the config schema in Pulumi.yaml"


def _aws_problems(full_key: str, name: str, raw: Any) -> list[Problem]:
    known = aws_provider.provider_config_keys()
    if name not in known:
        near = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean aws:{near[0]}?" if near else "see the AWS provider's configuration reference"
        return [Problem(full_key, raw, f"a configuration key of the AWS provider ({hint})")]
    if name == "region" and str(raw) not in aws_provider.partition_regions():
        regions = aws_provider.partition_regions()
        near = difflib.get_close_matches(str(raw), regions, n=3)
        hint = f"did you mean {', '.join(near)}?" if near else f"e.g. {DEFAULT_REGION}"
        return [Problem(full_key, raw, f"a region of the {aws_provider.PARTITION} partition, as botocore knows "
                                       f"them ({hint})")]
    return []


# ---------------------------------------------------------------- rules that span keys


@dataclass(frozen=True)
class Rule:
    """A rule over several keys, checked whenever all of them parsed. `check` yields
    (key a user would change, what is allowed) for each violation."""
    keys: tuple[str, ...]
    check: Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]


RULES: list[Rule] = []


def rule(*keys: str) -> Callable[[Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]]], Any]:
    def register(check: Callable[[Mapping[str, Any]], Iterator[tuple[str, str]]]) -> Any:
        RULES.append(Rule(keys, check))
        return check
    return register


THRESHOLD_PAIRS = (("LambdaErrorRate", "Pct"), ("LambdaThrottles", ""), ("LambdaDuration", "Pct"),
                   ("Api5xxRate", "Pct"), ("Api4xxRate", "Pct"), ("ApiLatencyP99", "Ms"),
                   ("DynamodbThrottles", ""), ("DynamodbSystemErrors", ""),
                   ("KinesisIteratorAge", "Ms"), ("ShippingLag", "Ms"), ("QueueAge", "Pct"),
                   ("TopicFailedNotifications", ""), ("EventsFailedInvocations", ""),
                   ("WorkflowFailedExecutions", ""), ("WorkflowDuration", "Pct"), ("FirehoseFreshness", "Pct"))


def _critical_not_below_warning(warning_key: str, critical_key: str) -> Rule:
    def check(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        warning, critical = v[warning_key], v[critical_key]
        if warning is not None and critical is not None and critical < warning:
            yield critical_key, f"a value >= the Warning threshold ({warning:g})"
    return Rule((warning_key, critical_key), check)


RULES.extend(_critical_not_below_warning(f"alarm{stem}Warning{unit}", f"alarm{stem}Critical{unit}")
             for stem, unit in THRESHOLD_PAIRS)


@rule("alarmDatapointsToAlarm", "alarmEvaluationPeriods")
def _datapoints_within_periods(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["alarmDatapointsToAlarm"] > v["alarmEvaluationPeriods"]:
        yield "alarmDatapointsToAlarm", f"at most alarmEvaluationPeriods ({v['alarmEvaluationPeriods']})"


def alarm_window_limit(period_seconds: int) -> int:
    """The longest period x evaluation periods PutMetricAlarm accepts for this period."""
    return SHORT_PERIOD_WINDOW_LIMIT_SECONDS if period_seconds < SHORT_PERIOD_BELOW_SECONDS else ALARM_WINDOW_LIMIT_SECONDS


@rule("alarmPeriodSeconds", "alarmEvaluationPeriods")
def _alarm_window_accepted_by_cloudwatch(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    period, periods = v["alarmPeriodSeconds"], v["alarmEvaluationPeriods"]
    limit = alarm_window_limit(period)
    if period * periods > limit:
        yield "alarmEvaluationPeriods", (
            f"at most {limit // period} with alarmPeriodSeconds = {period}: CloudWatch refuses an alarm whose "
            f"period x evaluation periods exceeds {limit:,} s"
            + (" for periods under an hour" if limit == SHORT_PERIOD_WINDOW_LIMIT_SECONDS else ""))


@rule("apiThrottleBurstLimit", "apiThrottleRateLimit")
def _burst_covers_rate(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["apiThrottleBurstLimit"] < v["apiThrottleRateLimit"] and v["apiThrottleBurstLimit"] < 5000:
        yield "apiThrottleBurstLimit", f"at least apiThrottleRateLimit ({v['apiThrottleRateLimit']})"


@rule("opensearchInstanceCount", "opensearchAvailabilityZones")
def _nodes_spread_over_zones(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchInstanceCount"] % v["opensearchAvailabilityZones"]:
        yield "opensearchInstanceCount", f"a multiple of opensearchAvailabilityZones ({v['opensearchAvailabilityZones']})"


@rule("opensearchMultiAzWithStandby", "opensearchAvailabilityZones")
def _standby_zones(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchMultiAzWithStandby"] and v["opensearchAvailabilityZones"] != STANDBY_ZONES:
        yield "opensearchAvailabilityZones", "3 when opensearchMultiAzWithStandby is true"


@rule("opensearchMultiAzWithStandby", "opensearchDedicatedMasterCount")
def _standby_masters(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchMultiAzWithStandby"] and v["opensearchDedicatedMasterCount"] != 3:
        yield "opensearchDedicatedMasterCount", "3 when opensearchMultiAzWithStandby is true"


@rule("opensearchMultiAzWithStandby", "opensearchReplicas")
def _standby_copies(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchMultiAzWithStandby"] and (v["opensearchReplicas"] + 1) % STANDBY_ZONES:
        yield "opensearchReplicas", (
            "2 or 5 when opensearchMultiAzWithStandby is true: AWS requires the copies of each index "
            "(primary + replicas) to be a multiple of 3 there and refuses other indices")


@rule("opensearchEngineVersion")
def _engine_supports_flat_object(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    major, minor = (int(part) for part in v["opensearchEngineVersion"].removeprefix("OpenSearch_").split("."))
    if (major, minor) < MIN_ENGINE_VERSION:
        yield "opensearchEngineVersion", "OpenSearch_2.12 or later (log documents use the flat_object field type)"


@rule("opensearchInstanceType")
def _encryption_at_rest(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchInstanceType"] in NO_ENCRYPTION_AT_REST or v["opensearchInstanceType"].startswith("t2."):
        yield "opensearchInstanceType", "an instance type that supports encryption at rest (not t2.* or t3.small)"


@rule("opensearchMultiAzWithStandby", "opensearchInstanceType")
def _standby_not_burstable(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["opensearchMultiAzWithStandby"] and v["opensearchInstanceType"].startswith("t"):
        yield "opensearchInstanceType", "a non-burstable instance type when opensearchMultiAzWithStandby is true"


@rule("opensearchReplicas", "opensearchInstanceCount")
def _replicas_fit_nodes(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    count, replicas = v["opensearchInstanceCount"], v["opensearchReplicas"]
    if replicas > 0 and replicas > count - 1:
        yield "opensearchReplicas", f"at most opensearchInstanceCount - 1 ({count - 1}) so the cluster can be green"


# ---------------------------------------------------------------- warnings and the settings object


def settings_warnings(settings: Settings) -> list[str]:
    """Gaps that cannot be errors, because secrets are set per machine, yet must not pass unseen."""
    warnings: list[str] = []
    routing, project = settings.routing, settings.project
    if routing.page_on_critical and not routing.critical_emails:
        warnings.append(f"stack '{settings.stack}': pageOnCritical is true but {project}:alarmEmailsCritical is "
                        f"empty, so Critical alarms page no one; set it with "
                        f"`pulumi config set --secret {project}:alarmEmailsCritical oncall@example.com`")
    if not routing.warning_emails:
        warnings.append(f"stack '{settings.stack}': {project}:alarmEmailsWarning is empty, so alarm topics have "
                        f"no e-mail subscribers")
    return warnings


def _pair(v: Mapping[str, Any], stem: str, unit: str = "") -> SeverityThresholds:
    return SeverityThresholds(warning=v[f"alarm{stem}Warning{unit}"], critical=v[f"alarm{stem}Critical{unit}"])


def _build(project: str, stack: str, region: str, v: Mapping[str, Any]) -> Settings:
    reserved = v["lambdaReservedConcurrency"]
    return Settings(
        project=project,
        stack=stack,
        region=region,
        environment=v["environment"],
        lambda_=LambdaProfile(runtime=v["lambdaRuntime"], architecture=v["lambdaArchitecture"],
                              memory_mb=v["lambdaMemoryMb"], timeout_seconds=v["lambdaTimeoutSeconds"],
                              reserved_concurrency=None if reserved == -1 else reserved, log_level=v["logLevel"]),
        api=ApiProfile(throttle_rate_limit=v["apiThrottleRateLimit"], throttle_burst_limit=v["apiThrottleBurstLimit"]),
        tracing=TracingProfile(sampling_rate=v["xraySamplingRate"], reservoir_per_second=v["xrayReservoirPerSecond"]),
        log_retention_days=v["logRetentionDays"],
        alarms=AlarmThresholds(
            lambda_error_rate_pct=_pair(v, "LambdaErrorRate", "Pct"),
            lambda_throttles=_pair(v, "LambdaThrottles"),
            lambda_duration_pct_of_timeout=_pair(v, "LambdaDuration", "Pct"),
            api_5xx_rate_pct=_pair(v, "Api5xxRate", "Pct"),
            api_4xx_rate_pct=_pair(v, "Api4xxRate", "Pct"),
            api_latency_p99_ms=_pair(v, "ApiLatencyP99", "Ms"),
            dynamodb_throttles=_pair(v, "DynamodbThrottles"),
            dynamodb_system_errors=_pair(v, "DynamodbSystemErrors"),
            kinesis_iterator_age_ms=_pair(v, "KinesisIteratorAge", "Ms"),
            shipping_lag_ms=_pair(v, "ShippingLag", "Ms"),
            min_invocations=v["alarmMinInvocations"],
            period_seconds=v["alarmPeriodSeconds"],
            evaluation_periods=v["alarmEvaluationPeriods"],
            datapoints_to_alarm=v["alarmDatapointsToAlarm"],
            sqs_age_pct_of_visibility_timeout=_pair(v, "QueueAge", "Pct"),
            sns_failed_notifications=_pair(v, "TopicFailedNotifications"),
            eventbridge_failed_invocations=_pair(v, "EventsFailedInvocations"),
            sfn_failed_executions=_pair(v, "WorkflowFailedExecutions"),
            sfn_duration_pct_of_timeout=_pair(v, "WorkflowDuration", "Pct"),
            firehose_freshness_pct_of_buffer=_pair(v, "FirehoseFreshness", "Pct"),
            **_container_thresholds(v),
        ),
        routing=AlarmRouting(warning_emails=v["alarmEmailsWarning"], critical_emails=v["alarmEmailsCritical"],
                             page_on_critical=v["pageOnCritical"]),
        protection=DataProtection(deletion_protection=v["deletionProtection"],
                                  point_in_time_recovery=v["pointInTimeRecovery"],
                                  kms_key_deletion_window_days=v["kmsKeyDeletionWindowDays"]),
        opensearch=OpenSearchProfile(
            engine_version=v["opensearchEngineVersion"], instance_type=v["opensearchInstanceType"],
            instance_count=v["opensearchInstanceCount"], dedicated_master_count=v["opensearchDedicatedMasterCount"],
            master_instance_type=v["opensearchMasterInstanceType"],
            availability_zones=v["opensearchAvailabilityZones"],
            multi_az_with_standby=v["opensearchMultiAzWithStandby"], volume_gb=v["opensearchVolumeGb"],
            shards=v["opensearchShards"], replicas=v["opensearchReplicas"],
            refresh_interval=v["opensearchRefreshInterval"], reader_role_arns=v["opensearchReaderRoleArns"],
            writer_role_arns=v["opensearchWriterRoleArns"],
            log_retention_days=v["logIndexRetentionDays"], trace_retention_days=v["traceIndexRetentionDays"]),
        shipping=ShippingProfile(path=v["logShippingPath"], kinesis_shard_count=v["kinesisShardCount"],
                                 memory_mb=v["shipperMemoryMb"], timeout_seconds=v["shipperTimeoutSeconds"]),
        services=_service_profile(v),
        cafe=_cafe_profile(v),
        containers=_container_profile(v),
        api_gateway_account_role=v["apiGatewayAccountRole"],
        lambda_concurrency_quota=v["lambdaConcurrencyQuota"],
        security=SecurityProfile(api_waf=v["apiWaf"], audit=v["audit"],
                                 audit_config_recorder=v["auditConfigRecorder"],
                                 audit_retention_days=v["auditRetentionDays"]),
    )


def _service_profile(v: Mapping[str, Any]) -> ServiceProfile:
    return ServiceProfile(
        worker_timeout_seconds=v["workerTimeoutSeconds"],
        queues=QueueProfile(max_receive_count=v["queueMaxReceiveCount"], batch_size=v["queueBatchSize"],
                            batching_window_seconds=v["queueBatchingWindowSeconds"],
                            max_concurrency=v["queueMaxConcurrency"]),
        streams=StreamProfile(mode=v["streamMode"], shard_count=v["streamShardCount"],
                              retention_hours=v["streamRetentionHours"], batch_size=v["streamBatchSize"],
                              max_retries=v["streamMaxRetries"], max_record_age_seconds=v["streamMaxRecordAgeSeconds"],
                              firehose_buffer_seconds=v["firehoseBufferSeconds"],
                              firehose_buffer_mb=v["firehoseBufferMb"],
                              archive_retention_days=v["archiveRetentionDays"]),
        schedules=ScheduleProfile(max_retries=v["scheduleMaxRetries"],
                                  flexible_window_minutes=v["scheduleFlexibleWindowMinutes"],
                                  grace_minutes=v["scheduleGraceMinutes"]))


def _cafe_profile(v: Mapping[str, Any]) -> CafeProfile:
    return CafeProfile(time_zone=v["cafeTimeZone"], currency=v["cafeCurrency"], daily_report_schedule=v["cafeDailyReportSchedule"],
                       high_value_order_threshold=v["cafeHighValueOrderThreshold"],
                       payment_provider_url=v["cafePaymentProviderUrl"], report_emails=v["cafeReportEmails"],
                       high_balance_emails=v["cafeHighBalanceEmails"], webhook_secret=v["cafeWebhookSecret"],
                       auth_secret=v["cafeAuthSecret"])


# ---------------------------------------------------------------- container services (issue 8)

CONTAINER_THRESHOLD_PAIRS = {"alb_target_5xx_rate_pct": ("AlbTarget5xxRate", "Pct"), "alb_elb_5xx": ("AlbElb5xx", ""),
                             "alb_target_5xx": ("AlbTarget5xx", ""),
                             "alb_response_time_p99_ms": ("AlbResponseTimeP99", "Ms"),
                             "alb_unhealthy_hosts": ("AlbUnhealthyHosts", ""),
                             "alb_rejected_connections": ("AlbRejectedConnections", ""),
                             "ecs_cpu_pct": ("EcsCpu", "Pct"), "ecs_memory_pct": ("EcsMemory", "Pct")}
RULES.extend(_critical_not_below_warning(f"alarm{stem}Warning{unit}", f"alarm{stem}Critical{unit}")
             for stem, unit in CONTAINER_THRESHOLD_PAIRS.values())


@rule("containerCpu", "containerMemoryMb")
def _fargate_size(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    from components.services.container_plan import fargate_size_problem
    problem = fargate_size_problem(v["containerCpu"], v["containerMemoryMb"])
    if problem:
        yield "containerMemoryMb", problem


@rule("containerMinCount", "containerDesiredCount", "containerMaxCount")
def _task_counts_ordered(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["containerMinCount"] > v["containerMaxCount"]:
        yield "containerMinCount", f"at most containerMaxCount ({v['containerMaxCount']})"
    elif not v["containerMinCount"] <= v["containerDesiredCount"] <= v["containerMaxCount"]:
        yield "containerDesiredCount", (f"between containerMinCount ({v['containerMinCount']}) and "
                                        f"containerMaxCount ({v['containerMaxCount']})")


@rule("containerHealthCheckTimeoutSeconds", "containerHealthCheckIntervalSeconds")
def _health_check_times_out_before_the_next(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if v["containerHealthCheckTimeoutSeconds"] >= v["containerHealthCheckIntervalSeconds"]:
        yield "containerHealthCheckTimeoutSeconds", (
            f"less than containerHealthCheckIntervalSeconds ({v['containerHealthCheckIntervalSeconds']}): Elastic "
            "Load Balancing refuses a health check that outlasts its interval")


@rule("containerVpcId", "containerPrivateSubnetIds", "containerPublicSubnetIds", "containerAvailabilityZones")
def _existing_vpc_has_its_subnets(v: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    if not v["containerVpcId"]:
        for key in ("containerPrivateSubnetIds", "containerPublicSubnetIds"):
            if v[key]:
                yield key, "empty unless containerVpcId names the existing VPC these subnets belong to"
        return
    for key in ("containerPrivateSubnetIds", "containerPublicSubnetIds"):
        if len(v[key]) < 2:
            yield key, ("at least 2 subnets of containerVpcId in different zones (a load balancer needs 2 zones, "
                        "and tasks should survive the loss of one)")


def _container_thresholds(v: Mapping[str, Any]) -> dict[str, SeverityThresholds]:
    return {field: _pair(v, stem, unit) for field, (stem, unit) in CONTAINER_THRESHOLD_PAIRS.items()}


def _container_profile(v: Mapping[str, Any]) -> ContainerProfile:
    return ContainerProfile(
        network=NetworkProfile(vpc_cidr=v["containerVpcCidr"], availability_zones=v["containerAvailabilityZones"],
                               nat_gateways=v["containerNatGateways"], existing_vpc_id=v["containerVpcId"] or None,
                               private_subnet_ids=v["containerPrivateSubnetIds"],
                               public_subnet_ids=v["containerPublicSubnetIds"]),
        cpu=v["containerCpu"], memory_mb=v["containerMemoryMb"], desired_count=v["containerDesiredCount"],
        min_count=v["containerMinCount"], max_count=v["containerMaxCount"], scale_cpu_pct=v["containerScaleCpuPct"],
        scale_requests_per_target=v["containerScaleRequestsPerTarget"],
        health_check_interval_seconds=v["containerHealthCheckIntervalSeconds"],
        health_check_timeout_seconds=v["containerHealthCheckTimeoutSeconds"],
        healthy_threshold=v["containerHealthyThreshold"], unhealthy_threshold=v["containerUnhealthyThreshold"],
        deregistration_delay_seconds=v["containerDeregistrationDelaySeconds"],
        certificate_arn=v["containerCertificateArn"] or None, collector_image=v["containerCollectorImage"])
