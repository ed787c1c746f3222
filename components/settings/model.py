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
