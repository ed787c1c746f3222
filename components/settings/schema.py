"""The single source of truth for every platform config key.

`Pulumi.yaml` declares the same keys for the CLI; a test keeps the two in step, so a key can
never exist in one place and be silently ignored in the other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Sequence

PROJECT = "platform"

#: CloudWatch Logs accepts only these retention values.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)

#: Alarm periods of a minute or more: PutMetricAlarm accepts 10, 20 and 30 s only for high-resolution
#: metrics ("If you specify a period of 10, 20, or 30 for a metric that does not have sub-minute
#: resolution, the alarm ... does not receive data", CloudWatch API Reference, PutMetricAlarm, Period).
ALARM_PERIODS = (60, 300, 900, 3600)

_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$", re.ASCII)
_OPENSEARCH_INSTANCE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+\.search$", re.ASCII)
_ENGINE_VERSION = re.compile(r"^OpenSearch_\d+\.\d+$", re.ASCII)
_INTERVAL = re.compile(r"^\d+(ms|s|m)$", re.ASCII)


class Invalid(ValueError):
    """A value was readable but not allowed; the message says what is allowed."""


Parser = Callable[[Any], Any]


def integer(low: int, high: int, *, also: Sequence[int] = ()) -> Parser:
    """What the CLI accepts for an `integer` key (Go's strconv.Atoi), within bounds."""
    def parse(raw: Any) -> int:
        text = str(raw)
        extra = f" or one of {', '.join(map(str, also))}" if also else ""
        if not re.fullmatch(r"[-+]?[0-9]+", text):
            raise Invalid(f"an integer between {low} and {high}{extra}")
        value = int(text)
        if value in also or low <= value <= high:
            return value
        raise Invalid(f"an integer between {low} and {high}{extra}")
    return parse


def one_of_ints(choices: Sequence[int], why: str = "") -> Parser:
    def parse(raw: Any) -> int:
        text = str(raw)
        if re.fullmatch(r"[-+]?[0-9]+", text) and int(text) in choices:
            return int(text)
        raise Invalid(f"one of {', '.join(map(str, choices))}{f' ({why})' if why else ''}")
    return parse


def decimal(low: float, high: float) -> Parser:
    def parse(raw: Any) -> float:
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise Invalid(f"a decimal number between {low:g} and {high:g}") from None
        if not value.is_finite() or not Decimal(str(low)) <= value <= Decimal(str(high)):
            raise Invalid(f"a decimal number between {low:g} and {high:g}")
        return float(value)
    return parse


def optional_threshold(low: float, high: float) -> Parser:
    """Thresholds accept "off" so a team can drop one severity without forking the platform."""
    inner = decimal(low, high)

    def parse(raw: Any) -> float | None:
        if str(raw).strip().lower() == "off":
            return None
        try:
            return inner(raw)
        except Invalid:
            raise Invalid(f"a decimal number between {low:g} and {high:g}, or \"off\"") from None
    return parse


def boolean(raw: Any) -> bool:
    """Exactly the strings the CLI accepts for a `boolean` key: YAML 1.1's yes/on/True are not."""
    text = str(raw)
    if text in ("true", "false"):
        return text == "true"
    raise Invalid("true or false")


def choice(*choices: str) -> Parser:
    def parse(raw: Any) -> str:
        if str(raw) in choices:
            return str(raw)
        raise Invalid(f"one of {', '.join(choices)}")
    return parse


def matching(pattern: re.Pattern[str], what: str) -> Parser:
    def parse(raw: Any) -> str:
        if pattern.fullmatch(str(raw)):
            return str(raw)
        raise Invalid(what)
    return parse


def csv_of(pattern: re.Pattern[str], what: str) -> Parser:
    """Lists arrive as one comma-separated string because secret arrays are awkward in the CLI."""
    def parse(raw: Any) -> tuple[str, ...]:
        items = tuple(part.strip() for part in str(raw).split(",") if part.strip())
        bad = [item for item in items if not pattern.fullmatch(item)]
        if bad:
            raise Invalid(f"a comma-separated list of {what}")
        return items
    return parse


@dataclass(frozen=True)
class Key:
    name: str
    type: str           # the Pulumi.yaml schema type: string, integer or boolean
    default: Any
    description: str
    parse: Parser
    secret: bool = False

    @property
    def default_text(self) -> str:
        """The default as the CLI hands it to the program: a string, booleans spelt true/false."""
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)


def _threshold_pair(stem: str, what: str, unit: str, warning: str, critical: str,
                    low: float, high: float) -> list[Key]:
    return [
        Key(f"alarm{stem}Warning{unit}", "string", warning,
            f"Warning threshold for {what}; \"off\" disables it.", optional_threshold(low, high)),
        Key(f"alarm{stem}Critical{unit}", "string", critical,
            f"Critical threshold for {what}; \"off\" disables it.", optional_threshold(low, high)),
    ]


KEYS: tuple[Key, ...] = tuple([
    Key("environment", "string", "dev", "Environment profile the stack follows: dev or prod.", choice("dev", "prod")),
    Key("lambdaRuntime", "string", "python3.12", "Python runtime of every function.", choice("python3.12", "python3.13")),
    Key("lambdaArchitecture", "string", "arm64", "CPU architecture of every function.", choice("arm64", "x86_64")),
    Key("lambdaMemoryMb", "integer", 256, "Memory of service functions, in MB.", integer(128, 10240)),
    Key("lambdaTimeoutSeconds", "integer", 10,
        "Timeout of API-facing functions, in seconds (API Gateway stops waiting at 29 s).", integer(1, 29)),
    Key("lambdaReservedConcurrency", "integer", -1,
        "Reserved concurrency per service function; -1 leaves it unreserved.", integer(1, 1000, also=(-1,))),
    Key("logLevel", "string", "INFO", "Level of handler logs.", choice("DEBUG", "INFO", "WARNING", "ERROR")),
    Key("logRetentionDays", "integer", 14, "Retention of every CloudWatch log group, in days.",
        one_of_ints(LOG_RETENTION_DAYS)),
    Key("xraySamplingRate", "string", "1.0", "Fixed X-Ray sampling rate after the reservoir, 0 to 1.", decimal(0, 1)),
    Key("xrayReservoirPerSecond", "integer", 1, "Traced requests per second before the fixed rate applies.",
        integer(0, 1000)),
    Key("apiThrottleRateLimit", "integer", 50, "Steady-state requests per second per API stage.", integer(1, 10000)),
    Key("apiThrottleBurstLimit", "integer", 100, "Burst of requests per API stage.", integer(1, 5000)),
    *_threshold_pair("LambdaErrorRate", "Lambda errors as % of invocations", "Pct", "1", "5", 0, 100),
    *_threshold_pair("LambdaThrottles", "throttled Lambda invocations per period", "", "1", "10", 0, 1e9),
    *_threshold_pair("LambdaDuration", "p99 Lambda duration as % of the timeout", "Pct", "70", "90", 1, 100),
    *_threshold_pair("Api5xxRate", "API 5XX responses as % of requests", "Pct", "1", "5", 0, 100),
    *_threshold_pair("Api4xxRate", "API 4XX responses as % of requests", "Pct", "10", "off", 0, 100),
    *_threshold_pair("ApiLatencyP99", "p99 API latency", "Ms", "1000", "3000", 1, 29000),
    *_threshold_pair("DynamodbThrottles", "throttled DynamoDB requests per period", "", "1", "10", 0, 1e9),
    *_threshold_pair("DynamodbSystemErrors", "DynamoDB system errors per period", "", "1", "5", 0, 1e9),
    *_threshold_pair("KinesisIteratorAge", "Kinesis iterator age", "Ms", "60000", "300000", 1, 604800000),
    *_threshold_pair("ShippingLag", "log shipping lag", "Ms", "120000", "600000", 1, 86400000),
    Key("alarmMinInvocations", "integer", 10, "Requests needed in a period before rate alarms may fire.",
        integer(0, 1000000)),
    Key("alarmPeriodSeconds", "integer", 60, "Alarm evaluation period, in seconds.",
        one_of_ints(ALARM_PERIODS, "AWS publishes the metrics the platform alarms on once a minute, so a "
                                   "10 or 30 s period never gets data")),
    Key("alarmEvaluationPeriods", "integer", 5, "Periods an alarm looks back over.", integer(1, 100)),
    Key("alarmDatapointsToAlarm", "integer", 3, "Breaching periods, out of the evaluation periods, that fire an alarm.",
        integer(1, 100)),
    Key("alarmEmailsWarning", "string", "", "Comma-separated e-mails for Warning alarms (set as a secret).",
        csv_of(_EMAIL, "e-mail addresses"), secret=True),
    Key("alarmEmailsCritical", "string", "",
        "Comma-separated e-mails paged by Critical alarms when pageOnCritical is true (set as a secret).",
        csv_of(_EMAIL, "e-mail addresses"), secret=True),
    Key("pageOnCritical", "boolean", False,
        "Route Critical alarms to alarmEmailsCritical; when false they go to the Warning recipients.", boolean),
    Key("deletionProtection", "boolean", False,
        "Protect tables, buckets, keys and the OpenSearch domain from deletion.", boolean),
    Key("pointInTimeRecovery", "boolean", False, "Point-in-time recovery on DynamoDB tables.", boolean),
    Key("kmsKeyDeletionWindowDays", "integer", 7, "Waiting period before the stack key is deleted.", integer(7, 30)),
    Key("opensearchEngineVersion", "string", "OpenSearch_2.19", "OpenSearch engine version.",
        matching(_ENGINE_VERSION, "OpenSearch_<major>.<minor>")),
    Key("opensearchInstanceType", "string", "t3.medium.search", "Data node instance type.",
        matching(_OPENSEARCH_INSTANCE, "an OpenSearch instance type such as r7g.large.search")),
    Key("opensearchInstanceCount", "integer", 1, "Data nodes.", integer(1, 80)),
    Key("opensearchDedicatedMasterCount", "integer", 0, "Dedicated master nodes: 0, 3 or 5.", one_of_ints((0, 3, 5))),
    Key("opensearchMasterInstanceType", "string", "m7g.large.search", "Dedicated master instance type.",
        matching(_OPENSEARCH_INSTANCE, "an OpenSearch instance type such as m7g.large.search")),
    Key("opensearchAvailabilityZones", "integer", 1, "Availability zones of the domain: 1, 2 or 3.",
        one_of_ints((1, 2, 3))),
    Key("opensearchMultiAzWithStandby", "boolean", False, "Multi-AZ with standby (needs 3 AZs and 3 masters).",
        boolean),
    Key("opensearchVolumeGb", "integer", 10, "gp3 volume per data node, in GiB.", integer(10, 16384)),
    Key("opensearchShards", "integer", 1, "Primary shards per daily index.", integer(1, 64)),
    Key("opensearchReplicas", "integer", 0,
        "Replica shards per index; 0 keeps a single-node cluster green, and Multi-AZ with standby needs 2 or 5.",
        integer(0, 5)),
    Key("opensearchRefreshInterval", "string", "30s", "Index refresh interval.",
        matching(_INTERVAL, "a duration such as 1s, 30s or 1m")),
    Key("opensearchReaderRoleArns", "string", "",
        "Comma-separated IAM role ARNs that may search logs and traces in OpenSearch Dashboards.",
        csv_of(_ROLE_ARN, "IAM role ARNs")),
    Key("opensearchWriterRoleArns", "string", "",
        "Comma-separated IAM role ARNs, besides the shipper's, that may write logs (e.g. the role that runs replay).",
        csv_of(_ROLE_ARN, "IAM role ARNs")),
    Key("logIndexRetentionDays", "integer", 7, "Days log indices are kept in OpenSearch.", integer(1, 3650)),
    Key("traceIndexRetentionDays", "integer", 3, "Days span indices are kept in OpenSearch.", integer(1, 3650)),
    Key("logShippingPath", "string", "direct",
        "direct: subscriptions invoke the shipper; kinesis: they write to a stream the shipper reads.",
        choice("direct", "kinesis")),
    Key("kinesisShardCount", "integer", 1, "Shards of the log stream on the kinesis path.", integer(1, 500)),
    Key("shipperMemoryMb", "integer", 512, "Memory of the log shipper, in MB.", integer(128, 10240)),
    Key("shipperTimeoutSeconds", "integer", 60, "Timeout of the log shipper, in seconds.", integer(10, 900)),
])


def time_zone(raw: Any) -> str:
    """An IANA zone such as Europe/Lisbon, as EventBridge Scheduler and zoneinfo know them."""
    from components.services.schedule_plan import time_zones
    if str(raw) in time_zones():
        return str(raw)
    raise Invalid("an IANA time zone such as Europe/Lisbon or America/New_York")


def schedule_expression(raw: Any) -> str:
    from components.services.schedule_plan import ScheduleError, parse_schedule
    try:
        return parse_schedule(str(raw)).expression
    except ScheduleError as error:
        raise Invalid(f"a recurring schedule such as cron(0 7 * * ? *) or rate(1 day) ({error})") from None


def secret_text(min_length: int) -> Parser:
    def parse(raw: Any) -> str:
        text = str(raw)
        if text and len(text) < min_length:
            raise Invalid(f"empty, or at least {min_length} characters")
        return text
    return parse


_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$")

# Event-driven, streaming and workflow services (issue: event-driven components).
KEYS = KEYS + (
    Key("workerTimeoutSeconds", "integer", 30,
        "Timeout of functions that consume queues, streams, schedules and workflow steps, in seconds.",
        integer(1, 900)),
    Key("queueMaxReceiveCount", "integer", 3, "Receives before a poison message moves to its dead-letter queue.",
        integer(1, 1000)),
    Key("queueBatchSize", "integer", 10, "Messages per consumer invocation (FIFO queues take at most 10).",
        integer(1, 10000)),
    Key("queueBatchingWindowSeconds", "integer", 0,
        "Seconds a queue consumer waits to fill a batch; also added to the visibility timeout.", integer(0, 300)),
    Key("queueMaxConcurrency", "integer", 5,
        "Most concurrent invocations a queue consumer scales to (throttles the Frugal Consumer).", integer(2, 1000)),
    Key("streamMode", "string", "provisioned", "Kinesis capacity of service streams: provisioned or on-demand.",
        choice("provisioned", "on-demand")),
    Key("streamShardCount", "integer", 1, "Shards of each service stream in provisioned mode.", integer(1, 500)),
    Key("streamRetentionHours", "integer", 24, "Retention of service streams, in hours.", integer(24, 8760)),
    Key("streamBatchSize", "integer", 100, "Records per stream consumer invocation.", integer(1, 10000)),
    Key("streamMaxRetries", "integer", 5,
        "Retries of a failing stream batch before it goes to the on-failure destination.", integer(0, 10000)),
    Key("streamMaxRecordAgeSeconds", "integer", 3600,
        "Age after which a stream record goes to the on-failure destination unprocessed.", integer(60, 604800)),
    Key("firehoseBufferSeconds", "integer", 300, "Seconds Firehose buffers before writing to the archive.",
        integer(0, 900)),
    Key("firehoseBufferMb", "integer", 5, "MiB Firehose buffers before writing to the archive.", integer(1, 128)),
    Key("archiveRetentionDays", "integer", 30, "Days stream archives are kept in S3.", integer(1, 3650)),
    Key("scheduleMaxRetries", "integer", 2, "Retries EventBridge Scheduler makes when it cannot invoke a job.",
        integer(0, 185)),
    Key("scheduleFlexibleWindowMinutes", "integer", 0,
        "Minutes a scheduled run may start late to spread load; 0 runs on time.", integer(0, 1440)),
    Key("scheduleGraceMinutes", "integer", 60,
        "Minutes past a job's longest interval before its missed-run alarm fires.", integer(5, 1440)),
    *_threshold_pair("QueueAge", "age of the oldest message as % of the visibility timeout", "Pct", "200", "1000",
                     1, 100000),
    *_threshold_pair("TopicFailedNotifications", "failed SNS notifications per period", "", "1", "off", 0, 1e9),
    *_threshold_pair("EventsFailedInvocations", "failed EventBridge target invocations per period", "", "off", "1",
                     0, 1e9),
    *_threshold_pair("WorkflowFailedExecutions", "failed workflow executions per period", "", "1", "5", 0, 1e9),
    *_threshold_pair("WorkflowDuration", "p99 workflow execution time as % of its timeout", "Pct", "70", "90",
                     1, 100),
    *_threshold_pair("FirehoseFreshness", "age of the oldest undelivered archive record as % of the buffer "
                     "interval", "Pct", "300", "1000", 100, 100000),
)

# The café reference platform that __main__.py deploys.
KEYS = KEYS + (
    Key("cafeTimeZone", "string", "Europe/Lisbon", "The café's time zone: days and the daily report follow it.",
        time_zone),
    Key("cafeCurrency", "string", "EUR", "The one currency the café takes (ISO 4217); orders in another are refused.",
        matching(re.compile(r"[A-Z]{3}", re.ASCII), "a 3-letter ISO 4217 code such as EUR")),
    Key("cafeDailyReportSchedule", "string", "cron(0 7 * * ? *)",
        "When the daily sales report runs, in the café's time zone.", schedule_expression),
    Key("cafeHighValueOrderThreshold", "string", "100", "Order total at or above which high-balance-alert is told.",
        decimal(0.01, 1e9)),
    Key("cafePaymentProviderUrl", "string", "https://payments.example.com/v1",
        "Base URL of the payment provider the fulfilment workflow charges through.",
        matching(_HTTPS_URL, "an https:// URL")),
    Key("cafeReportEmails", "string", "", "Comma-separated e-mails that receive the daily sales report (set as a "
        "secret).", csv_of(_EMAIL, "e-mail addresses"), secret=True),
    Key("cafeHighBalanceEmails", "string", "", "Comma-separated e-mails told about high-value orders (set as a "
        "secret).", csv_of(_EMAIL, "e-mail addresses"), secret=True),
    Key("cafeWebhookSecret", "string", "", "Shared secret the payment provider signs webhooks with (set as a secret).",
        secret_text(32), secret=True),
    Key("cafeAuthSecret", "string", "", "HS256 secret that staff tokens for the orders API are signed with (set as "
        "a secret).", secret_text(32), secret=True),
)


def account_role(raw: Any) -> str:
    text = str(raw)
    if text == "create" or _ROLE_ARN.fullmatch(text):
        return text
    raise Invalid("\"create\" (this stack sets the account's API Gateway logging role) or the ARN of the role "
                  "another stack or team already set")


# Account-wide settings that stacks sharing an account must agree on (issue: deploy safety).
KEYS = KEYS + (
    Key("apiGatewayAccountRole", "string", "create",
        "API Gateway's account-wide CloudWatch role: \"create\" in exactly one stack per account and region, "
        "else the ARN of the role already set.", account_role),
    Key("lambdaConcurrencyQuota", "integer", 1000,
        "The account's Lambda concurrency quota in this region; the preview fails when reservations leave "
        "less than 100 unreserved.", integer(100, 1000000)),
)

# Security and auditing (issue 10): what the policy pack requires of a production stack.
KEYS = KEYS + (
    Key("apiWaf", "boolean", False,
        "Attach a WAF web ACL with the AWS managed common rule set to every API stage.", boolean),
    Key("audit", "boolean", False,
        "CloudTrail trail (encrypted, validated, sent to CloudWatch Logs and shipped) and an AWS Config rule "
        "on API stages that tells the Warning topic.", boolean),
    Key("auditConfigRecorder", "string", "create",
        "AWS Config's recorder is one per account and region: \"create\" it in this stack, or \"existing\" "
        "when another stack or the organisation records already.", choice("create", "existing")),
    Key("auditRetentionDays", "integer", 365, "Days audit logs (CloudTrail and Config) are kept in S3.",
        integer(90, 3653)),
)


def cidr_block(raw: Any) -> str:
    """An IPv4 network from /16 (the largest VPC) to /24, written as its network address."""
    import ipaddress
    try:
        network = ipaddress.IPv4Network(str(raw), strict=True)
    except ValueError:
        network = None
    if network is None or not 16 <= network.prefixlen <= 24:
        raise Invalid("an IPv4 network from /16 to /24 written as its network address, e.g. 10.40.0.0/16")
    return str(network)


def fargate_cpu(raw: Any) -> int:
    from components.services.container_plan import FARGATE_MEMORY
    return one_of_ints(tuple(FARGATE_MEMORY), "Fargate CPU units")(raw)


_VPC_ID = re.compile(r"^(vpc-[0-9a-f]{8,17})?$", re.ASCII)
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$", re.ASCII)
_CERTIFICATE = re.compile(r"^(arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+)?$", re.ASCII)
_PINNED_IMAGE = re.compile(r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[\w.-]+)?@sha256:[0-9a-f]{64}$", re.ASCII)
#: AWS Distro for OpenTelemetry collector v0.48.0, by the digest of its image index on ECR Public.
ADOT_COLLECTOR_IMAGE = ("public.ecr.aws/aws-observability/aws-otel-collector:v0.48.0"
                        "@sha256:9b28046359054b414f4ba76056ba4e8cffda2d53fbcee06171d7eeecd71326c3")

# Container services (issue 8): ECS on Fargate behind an Application Load Balancer, in a stack VPC.
KEYS = KEYS + (
    Key("containerVpcCidr", "string", "10.40.0.0/16",
        "CIDR block of the VPC the stack creates for container services.", cidr_block),
    Key("containerAvailabilityZones", "integer", 2,
        "Zones the VPC spans, each with a public subnet (load balancers) and a private one (tasks).", integer(2, 6)),
    Key("containerNatGateways", "string", "single",
        "NAT gateways for the private subnets: single (one for the stack) or per-az (one per zone).",
        choice("single", "per-az")),
    Key("containerVpcId", "string", "", "An existing VPC for container services instead of the stack's own; "
        "empty creates one.", matching(_VPC_ID, "empty, or a VPC id such as vpc-0123456789abcdef0")),
    Key("containerPrivateSubnetIds", "string", "",
        "Comma-separated private subnets of containerVpcId for the tasks, one per zone.",
        csv_of(_SUBNET_ID, "subnet ids")),
    Key("containerPublicSubnetIds", "string", "",
        "Comma-separated public subnets of containerVpcId for the load balancers, one per zone.",
        csv_of(_SUBNET_ID, "subnet ids")),
    Key("containerCpu", "integer", 256, "Fargate CPU units of each task (1024 = 1 vCPU).", fargate_cpu),
    Key("containerMemoryMb", "integer", 512,
        "Memory of each task, in MiB; Fargate allows only some pairs with containerCpu.", integer(512, 122880)),
    Key("containerDesiredCount", "integer", 1, "Tasks a container service runs after a deploy.", integer(1, 1000)),
    Key("containerMinCount", "integer", 1, "Fewest tasks scaling may leave running.", integer(1, 1000)),
    Key("containerMaxCount", "integer", 2, "Most tasks scaling may start.", integer(1, 1000)),
    Key("containerScaleCpuPct", "integer", 60, "Average CPU utilisation that target tracking keeps tasks at.",
        integer(10, 95)),
    Key("containerScaleRequestsPerTarget", "integer", 500,
        "Load balancer requests per task per minute that target tracking keeps tasks at.", integer(1, 1000000)),
    Key("containerHealthCheckIntervalSeconds", "integer", 15,
        "Seconds between the load balancer's health checks of a task.", integer(5, 300)),
    Key("containerHealthCheckTimeoutSeconds", "integer", 5,
        "Seconds a health check may take; less than the interval.", integer(2, 120)),
    Key("containerHealthyThreshold", "integer", 2, "Passed health checks before a task receives traffic.",
        integer(2, 10)),
    Key("containerUnhealthyThreshold", "integer", 3, "Failed health checks before a task stops receiving traffic.",
        integer(2, 10)),
    Key("containerDeregistrationDelaySeconds", "integer", 30,
        "Seconds a stopping task keeps serving its open requests.", integer(0, 3600)),
    Key("containerCertificateArn", "string", "",
        "ACM certificate of the load balancers' HTTPS listener; without one dev listens on HTTP and prod refuses.",
        matching(_CERTIFICATE, "empty, or an ACM certificate ARN")),
    Key("containerCollectorImage", "string", ADOT_COLLECTOR_IMAGE,
        "Image of the tracing sidecar (AWS Distro for OpenTelemetry collector), pinned by digest.",
        matching(_PINNED_IMAGE, "an image reference pinned by digest: <registry>/<repository>[:tag]@sha256:<64 hex>")),
    *_threshold_pair("AlbTarget5xxRate", "target 5XX responses as % of load balancer requests", "Pct", "1", "5",
                     0, 100),
    *_threshold_pair("AlbElb5xx", "5XX responses the load balancer itself returned per period", "", "1", "10",
                     0, 1e9),
    *_threshold_pair("AlbTarget5xx", "5XX responses the tasks returned per period", "", "5", "off", 0, 1e9),
    *_threshold_pair("AlbResponseTimeP99", "p99 target response time", "Ms", "1000", "3000", 1, 4000000),
    *_threshold_pair("AlbUnhealthyHosts", "unhealthy load balancer targets", "", "1", "off", 1, 1000),
    *_threshold_pair("AlbRejectedConnections", "connections the load balancer rejected per period", "", "1", "off",
                     0, 1e9),
    *_threshold_pair("EcsCpu", "average CPU utilisation of a container service", "Pct", "80", "95", 1, 100),
    *_threshold_pair("EcsMemory", "average memory utilisation of a container service", "Pct", "80", "95", 1, 100),
)

KEYS_BY_NAME: dict[str, Key] = {key.name: key for key in KEYS}
