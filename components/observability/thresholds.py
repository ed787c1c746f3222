"""Alarm thresholds per environment profile, filled from stack config by the settings layer.

Rate thresholds are percentages (0-100), durations are milliseconds, counts are
per alarm period. Every alarm fires when the observed value is at or above the
threshold (``GreaterThanOrEqualToThreshold``).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.observability.model import SeverityThresholds


@dataclass(frozen=True)
class AlarmThresholds:
    """Thresholds the factories read; ``None`` in a ``SeverityThresholds`` disables that severity."""

    lambda_error_rate_pct: SeverityThresholds
    lambda_throttles: SeverityThresholds
    lambda_duration_pct_of_timeout: SeverityThresholds
    api_5xx_rate_pct: SeverityThresholds
    api_4xx_rate_pct: SeverityThresholds
    api_latency_p99_ms: SeverityThresholds
    dynamodb_throttles: SeverityThresholds
    dynamodb_system_errors: SeverityThresholds
    kinesis_iterator_age_ms: SeverityThresholds
    shipping_lag_ms: SeverityThresholds
    min_invocations: int
    period_seconds: int
    evaluation_periods: int
    datapoints_to_alarm: int
    # Added with defaults so the settings layer may leave them out.
    lambda_concurrency_pct_of_reserved: SeverityThresholds = SeverityThresholds(warning=90.0, critical=None)
    kinesis_throughput_exceeded: SeverityThresholds = SeverityThresholds(warning=1.0, critical=None)
    # Age of the oldest message as % of the queue's visibility timeout: 200% means
    # a message has outlived two delivery attempts' worth of time.
    sqs_age_pct_of_visibility_timeout: SeverityThresholds = SeverityThresholds(warning=200.0, critical=1000.0)
    sns_failed_notifications: SeverityThresholds = SeverityThresholds(warning=1.0, critical=None)
    sfn_failed_executions: SeverityThresholds = SeverityThresholds(warning=1.0, critical=5.0)
    eventbridge_failed_invocations: SeverityThresholds = SeverityThresholds(warning=None, critical=1.0)
    # p99 execution time of a workflow as % of its TimeoutSeconds, like Lambda duration.
    sfn_duration_pct_of_timeout: SeverityThresholds = SeverityThresholds(warning=70.0, critical=90.0)
    # Age of the oldest record Firehose has not delivered, as % of its buffer interval.
    firehose_freshness_pct_of_buffer: SeverityThresholds = SeverityThresholds(warning=300.0, critical=1000.0)
    # Container services: the load balancer in front (rates guarded by min_invocations) and the ECS service.
    alb_target_5xx_rate_pct: SeverityThresholds = SeverityThresholds(warning=1.0, critical=5.0)
    alb_elb_5xx: SeverityThresholds = SeverityThresholds(warning=1.0, critical=10.0)
    alb_target_5xx: SeverityThresholds = SeverityThresholds(warning=5.0, critical=None)
    alb_response_time_p99_ms: SeverityThresholds = SeverityThresholds(warning=1000.0, critical=3000.0)
    alb_unhealthy_hosts: SeverityThresholds = SeverityThresholds(warning=1.0, critical=None)
    alb_rejected_connections: SeverityThresholds = SeverityThresholds(warning=1.0, critical=None)
    ecs_cpu_pct: SeverityThresholds = SeverityThresholds(warning=80.0, critical=95.0)
    ecs_memory_pct: SeverityThresholds = SeverityThresholds(warning=80.0, critical=95.0)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.min_invocations < 0:
            problems.append(f"min_invocations must be >= 0, got {self.min_invocations}")
        if self.period_seconds < 10 or (self.period_seconds > 30 and self.period_seconds % 60):
            problems.append(f"period_seconds must be 10, 20, 30 or a multiple of 60, got {self.period_seconds}")
        if self.evaluation_periods < 1:
            problems.append(f"evaluation_periods must be >= 1, got {self.evaluation_periods}")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            problems.append(
                f"datapoints_to_alarm must be between 1 and evaluation_periods ({self.evaluation_periods}),"
                f" got {self.datapoints_to_alarm}"
            )
        if problems:
            raise ValueError("invalid AlarmThresholds: " + "; ".join(problems))


# A sensible production-like profile; the settings layer may start from it.
RECOMMENDED_THRESHOLDS = AlarmThresholds(
    lambda_error_rate_pct=SeverityThresholds(warning=1.0, critical=5.0),
    lambda_throttles=SeverityThresholds(warning=1.0, critical=10.0),
    lambda_duration_pct_of_timeout=SeverityThresholds(warning=80.0, critical=95.0),
    api_5xx_rate_pct=SeverityThresholds(warning=1.0, critical=5.0),
    api_4xx_rate_pct=SeverityThresholds(warning=10.0, critical=None),
    api_latency_p99_ms=SeverityThresholds(warning=1000.0, critical=3000.0),
    dynamodb_throttles=SeverityThresholds(warning=1.0, critical=50.0),
    dynamodb_system_errors=SeverityThresholds(warning=1.0, critical=10.0),
    kinesis_iterator_age_ms=SeverityThresholds(warning=60_000.0, critical=600_000.0),
    shipping_lag_ms=SeverityThresholds(warning=120_000.0, critical=900_000.0),
    min_invocations=20,
    period_seconds=300,
    evaluation_periods=3,
    datapoints_to_alarm=2,
)
