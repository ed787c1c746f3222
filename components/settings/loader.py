"""Turns raw stack config into `Settings`, reporting every problem at once.

A stack with three typos should need one `pulumi up` to learn about all three, and no resource may
be registered from a half-valid configuration, so parsing collects problems instead of raising on
the first one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from components.observability.model import SeverityThresholds
from components.observability.thresholds import AlarmThresholds
from components.settings.model import (AlarmRouting, ApiProfile, CafeProfile, DataProtection, LambdaProfile,
                                       OpenSearchProfile, QueueProfile, ScheduleProfile, SecurityProfile,
                                       ServiceProfile, Settings, ShippingProfile, StreamProfile, TracingProfile)
from components.settings.schema import KEYS, KEYS_BY_NAME, PROJECT, Invalid

DEFAULT_REGION = "us-east-1"
#: Instance types on which OpenSearch Service offers no encryption at rest, which the platform requires.
NO_ENCRYPTION_AT_REST = frozenset({"t3.small.search", "t3.micro.search"})
MIN_ENGINE_VERSION = (2, 12)


@dataclass(frozen=True)
class Problem:
    key: str
    value: Any
    allowed: str
    secret: bool = False

    def render(self, stack: str) -> str:
        shown = "[secret]" if self.secret else repr(self.value)
        return f"stack '{stack}': {self.key} = {shown} is not valid; allowed: {self.allowed}"


class SettingsError(ValueError):
    """Every problem found in a stack's configuration, in one message."""

    def __init__(self, stack: str, problems: list[Problem]) -> None:
        self.stack = stack
        self.problems = problems
        lines = "\n".join(f"  - {problem.render(stack)}" for problem in problems)
        super().__init__(f"Invalid configuration for stack '{stack}' ({len(problems)} problem"
                         f"{'s' if len(problems) != 1 else ''}); no resources were created:\n{lines}")


def load_settings(stack: str, config: Mapping[str, Any]) -> Settings:
    """Builds settings from fully-qualified config (`platform:key` and other namespaces, as the CLI sends it)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for full_key, raw in sorted(config.items()):
        namespace, _, name = full_key.partition(":")
        if namespace != PROJECT:
            continue
        key = KEYS_BY_NAME.get(name)
        if key is None:
            problems.append(Problem(full_key, raw, f"a known key ({_close_matches(name)})"))
            continue
        try:
            values[name] = key.parse(raw)
        except Invalid as error:
            problems.append(Problem(full_key, raw, str(error), key.secret))
    for key in KEYS:
        if key.name not in values and f"{PROJECT}:{key.name}" not in config:
            values[key.name] = key.parse(key.default)
    region = str(config.get("aws:region") or DEFAULT_REGION)
    if not problems:
        problems.extend(_cross_key_problems(values))
    if problems:
        raise SettingsError(stack, problems)
    return _build(stack, region, values)


def _close_matches(name: str) -> str:
    import difflib
    near = difflib.get_close_matches(name, KEYS_BY_NAME, n=1)
    return f"did you mean {PROJECT}:{near[0]}?" if near else "see the config schema in Pulumi.yaml"


def _cross_key_problems(v: dict[str, Any]) -> list[Problem]:
    """Rules that span keys; each problem names the key a user would change."""
    problems: list[Problem] = []

    def add(key: str, allowed: str) -> None:
        problems.append(Problem(f"{PROJECT}:{key}", v[key], allowed))

    for stem, unit in (("LambdaErrorRate", "Pct"), ("LambdaThrottles", ""), ("LambdaDuration", "Pct"),
                       ("Api5xxRate", "Pct"), ("Api4xxRate", "Pct"), ("ApiLatencyP99", "Ms"),
                       ("DynamodbThrottles", ""), ("DynamodbSystemErrors", ""),
                       ("KinesisIteratorAge", "Ms"), ("ShippingLag", "Ms"), ("QueueAge", "Pct"),
                       ("TopicFailedNotifications", ""), ("EventsFailedInvocations", ""),
                       ("WorkflowFailedExecutions", ""), ("WorkflowDuration", "Pct"), ("FirehoseFreshness", "Pct")):
        warning, critical = v[f"alarm{stem}Warning{unit}"], v[f"alarm{stem}Critical{unit}"]
        if warning is not None and critical is not None and critical < warning:
            add(f"alarm{stem}Critical{unit}", f"a value >= the Warning threshold ({warning:g})")
    if v["alarmDatapointsToAlarm"] > v["alarmEvaluationPeriods"]:
        add("alarmDatapointsToAlarm", f"at most alarmEvaluationPeriods ({v['alarmEvaluationPeriods']})")
    if v["apiThrottleBurstLimit"] < v["apiThrottleRateLimit"] and v["apiThrottleBurstLimit"] < 5000:
        add("apiThrottleBurstLimit", f"at least apiThrottleRateLimit ({v['apiThrottleRateLimit']})")
    azs, count = v["opensearchAvailabilityZones"], v["opensearchInstanceCount"]
    if count % azs:
        add("opensearchInstanceCount", f"a multiple of opensearchAvailabilityZones ({azs})")
    if v["opensearchMultiAzWithStandby"]:
        if azs != 3:
            add("opensearchAvailabilityZones", "3 when opensearchMultiAzWithStandby is true")
        if v["opensearchDedicatedMasterCount"] != 3:
            add("opensearchDedicatedMasterCount", "3 when opensearchMultiAzWithStandby is true")
    major, minor = (int(part) for part in v["opensearchEngineVersion"].removeprefix("OpenSearch_").split("."))
    if (major, minor) < MIN_ENGINE_VERSION:
        add("opensearchEngineVersion", "OpenSearch_2.12 or later (log documents use the flat_object field type)")
    if v["opensearchInstanceType"] in NO_ENCRYPTION_AT_REST or v["opensearchInstanceType"].startswith("t2."):
        add("opensearchInstanceType", "an instance type that supports encryption at rest (not t2.* or t3.small)")
    if v["opensearchMultiAzWithStandby"] and v["opensearchInstanceType"].startswith("t"):
        add("opensearchInstanceType", "a non-burstable instance type when opensearchMultiAzWithStandby is true")
    if v["opensearchReplicas"] > count - 1 and count > 0 and v["opensearchReplicas"] > 0:
        add("opensearchReplicas", f"at most opensearchInstanceCount - 1 ({count - 1}) so the cluster can be green")
    return problems


def settings_warnings(settings: Settings) -> list[str]:
    """Gaps that cannot be errors, because secrets are set per machine, yet must not pass unseen."""
    warnings: list[str] = []
    routing = settings.routing
    if routing.page_on_critical and not routing.critical_emails:
        warnings.append(f"stack '{settings.stack}': pageOnCritical is true but {PROJECT}:alarmEmailsCritical is "
                        f"empty, so Critical alarms page no one; set it with "
                        f"`pulumi config set --secret {PROJECT}:alarmEmailsCritical oncall@example.com`")
    if not routing.warning_emails:
        warnings.append(f"stack '{settings.stack}': {PROJECT}:alarmEmailsWarning is empty, so alarm topics have "
                        f"no e-mail subscribers")
    cafe = settings.cafe
    for key, value, effect in (("cafeAuthSecret", cafe.auth_secret, "the orders API refuses every token"),
                               ("cafeWebhookSecret", cafe.webhook_secret, "the payment webhook rejects every call"),
                               ("cafeReportEmails", cafe.report_emails, "the daily sales report reaches no one")):
        if not value:
            warnings.append(f"stack '{settings.stack}': {PROJECT}:{key} is empty, so {effect}; set it with "
                            f"`pulumi config set --secret {PROJECT}:{key} <value>`")
    return warnings


def _pair(v: dict[str, Any], stem: str, unit: str = "") -> SeverityThresholds:
    return SeverityThresholds(warning=v[f"alarm{stem}Warning{unit}"], critical=v[f"alarm{stem}Critical{unit}"])


def _build(stack: str, region: str, v: dict[str, Any]) -> Settings:
    reserved = v["lambdaReservedConcurrency"]
    return Settings(
        project=PROJECT,
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
        api_gateway_account_role=v["apiGatewayAccountRole"],
        lambda_concurrency_quota=v["lambdaConcurrencyQuota"],
        security=SecurityProfile(api_waf=v["apiWaf"], audit=v["audit"],
                                 audit_config_recorder=v["auditConfigRecorder"],
                                 audit_retention_days=v["auditRetentionDays"]),
    )


def _service_profile(v: dict[str, Any]) -> ServiceProfile:
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


def _cafe_profile(v: dict[str, Any]) -> CafeProfile:
    return CafeProfile(time_zone=v["cafeTimeZone"], daily_report_schedule=v["cafeDailyReportSchedule"],
                       high_value_order_threshold=v["cafeHighValueOrderThreshold"],
                       payment_provider_url=v["cafePaymentProviderUrl"], report_emails=v["cafeReportEmails"],
                       high_balance_emails=v["cafeHighBalanceEmails"], webhook_secret=v["cafeWebhookSecret"],
                       auth_secret=v["cafeAuthSecret"])
