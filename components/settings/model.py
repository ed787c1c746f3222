"""Frozen, typed settings: the only shape the rest of the platform reads configuration in.

Components never call `pulumi.Config` themselves, so every value has been validated once, together,
before any resource exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from components.observability.thresholds import AlarmThresholds


@dataclass(frozen=True)
class LambdaProfile:
    runtime: str
    architecture: str
    memory_mb: int
    timeout_seconds: int
    reserved_concurrency: int | None     # None: unreserved
    log_level: str


@dataclass(frozen=True)
class ApiProfile:
    throttle_rate_limit: int
    throttle_burst_limit: int


@dataclass(frozen=True)
class TracingProfile:
    sampling_rate: float
    reservoir_per_second: int


@dataclass(frozen=True)
class AlarmRouting:
    warning_emails: tuple[str, ...]
    critical_emails: tuple[str, ...]
    page_on_critical: bool

    @property
    def critical_recipients(self) -> tuple[str, ...]:
        """Where Critical alarms land: in a profile that pages nobody, with the Warning recipients."""
        return self.critical_emails if self.page_on_critical else self.warning_emails


@dataclass(frozen=True)
class DataProtection:
    deletion_protection: bool
    point_in_time_recovery: bool
    kms_key_deletion_window_days: int


@dataclass(frozen=True)
class OpenSearchProfile:
    engine_version: str
    instance_type: str
    instance_count: int
    dedicated_master_count: int
    master_instance_type: str
    availability_zones: int
    multi_az_with_standby: bool
    volume_gb: int
    shards: int
    replicas: int
    refresh_interval: str
    reader_role_arns: tuple[str, ...]
    writer_role_arns: tuple[str, ...]
    log_retention_days: int
    trace_retention_days: int


@dataclass(frozen=True)
class ShippingProfile:
    path: str                 # "direct" or "kinesis"
    kinesis_shard_count: int
    memory_mb: int
    timeout_seconds: int


@dataclass(frozen=True)
class QueueProfile:
    max_receive_count: int
    batch_size: int
    batching_window_seconds: int
    max_concurrency: int


@dataclass(frozen=True)
class StreamProfile:
    mode: str                 # "provisioned" or "on-demand"
    shard_count: int
    retention_hours: int
    batch_size: int
    max_retries: int
    max_record_age_seconds: int
    firehose_buffer_seconds: int
    firehose_buffer_mb: int
    archive_retention_days: int


@dataclass(frozen=True)
class ScheduleProfile:
    max_retries: int
    flexible_window_minutes: int
    grace_minutes: int


@dataclass(frozen=True)
class ServiceProfile:
    """Defaults of the event-driven, streaming and workflow kinds; each service may override its own."""

    worker_timeout_seconds: int
    queues: QueueProfile
    streams: StreamProfile
    schedules: ScheduleProfile


@dataclass(frozen=True)
class CafeProfile:
    """What the reference café needs to know; secrets stay Pulumi secrets until a resource takes them."""

    time_zone: str
    currency: str
    daily_report_schedule: str
    high_value_order_threshold: float
    payment_provider_url: str
    report_emails: tuple[str, ...]
    high_balance_emails: tuple[str, ...]
    webhook_secret: str
    auth_secret: str


@dataclass(frozen=True)
class SecurityProfile:
    """What the policy pack requires of production: a WAF on every API stage, and auditing."""

    api_waf: bool = False
    audit: bool = False
    audit_config_recorder: str = "create"   # or "existing": the account already records
    audit_retention_days: int = 365


@dataclass(frozen=True)
class NetworkProfile:
    """The stack VPC container services share, or an existing one named in settings."""

    vpc_cidr: str
    availability_zones: int
    nat_gateways: str                   # "single" or "per-az"
    existing_vpc_id: str | None
    private_subnet_ids: tuple[str, ...]
    public_subnet_ids: tuple[str, ...]


@dataclass(frozen=True)
class ContainerProfile:
    """Defaults of every container service (ECS on Fargate behind a load balancer); each may override its own."""

    network: NetworkProfile
    cpu: int
    memory_mb: int
    desired_count: int
    min_count: int
    max_count: int
    scale_cpu_pct: int
    scale_requests_per_target: int
    health_check_interval_seconds: int
    health_check_timeout_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int
    deregistration_delay_seconds: int
    certificate_arn: str | None
    collector_image: str


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    region: str
    environment: str
    lambda_: LambdaProfile
    api: ApiProfile
    tracing: TracingProfile
    log_retention_days: int
    alarms: AlarmThresholds
    routing: AlarmRouting
    protection: DataProtection
    opensearch: OpenSearchProfile
    shipping: ShippingProfile
    services: ServiceProfile
    cafe: CafeProfile
    containers: ContainerProfile
    #: "create", or the ARN of the API Gateway CloudWatch role another stack already set for the account.
    api_gateway_account_role: str = "create"
    lambda_concurrency_quota: int = 1000
    security: SecurityProfile = SecurityProfile()
