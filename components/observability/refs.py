"""Deterministic physical names of the resources the builders watch.

Names on this platform are predictable (``<project>-<stack>-<service>-<part>``),
so refs hold plain strings: dashboards built offline equal the deployed ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LambdaRef:
    """A Lambda function. ``part`` keeps alarm keys short and unique within a service."""

    function_name: str
    timeout_seconds: int
    log_group_name: str
    reserved_concurrency: int | None = None
    part: str = ""
    # Stream-triggered functions get an IteratorAge alarm.
    reads_stream: bool = False
    # Asynchronously invoked functions (SNS, S3, EventBridge) get dropped-event alarms.
    invoked_async: bool = False
    # Rarely invoked functions (schedules, workflow tasks, authorizers) alarm on any error, because a
    # rate guarded by a minimum invocation count would never fire for them.
    low_traffic: bool = False

    @property
    def key_part(self) -> str:
        return self.part or self.function_name


@dataclass(frozen=True)
class RestApiRef:
    """A REST API stage; API Gateway metrics are dimensioned by ApiName and Stage."""

    api_name: str
    stage_name: str
    access_log_group_name: str
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.api_name


@dataclass(frozen=True)
class TableRef:
    """A DynamoDB table and the global secondary indexes whose throttles count too."""

    table_name: str
    part: str = ""
    global_secondary_indexes: tuple[str, ...] = ()

    @property
    def key_part(self) -> str:
        return self.part or self.table_name


@dataclass(frozen=True)
class OpenSearchRef:
    """An OpenSearch Service domain; AWS/ES metrics need DomainName and ClientId (account id)."""

    domain_name: str
    account_id: str
    instance_count: int
    volume_size_gb: int
    dedicated_master: bool
    kms_encrypted: bool
    dedicated_master_count: int = 3
    dashboards_url: str | None = None

    @property
    def expected_nodes(self) -> int:
        """The Nodes metric counts dedicated masters too."""
        return self.instance_count + (self.dedicated_master_count if self.dedicated_master else 0)


@dataclass(frozen=True)
class KinesisRef:
    """A Kinesis data stream."""

    stream_name: str
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.stream_name


@dataclass(frozen=True)
class QueueRef:
    """An SQS queue; a dead-letter queue is alarmed on depth instead of age."""

    queue_name: str
    visibility_timeout_seconds: int
    is_dead_letter: bool = False
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.queue_name


@dataclass(frozen=True)
class TopicRef:
    """An SNS topic."""

    topic_name: str
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.topic_name


@dataclass(frozen=True)
class StateMachineRef:
    """A Step Functions state machine; AWS/States metrics are dimensioned by its ARN."""

    state_machine_name: str
    state_machine_arn: str
    part: str = ""
    #: The definition's TimeoutSeconds; the p99 execution time alarm is relative to it.
    timeout_seconds: int | None = None
    log_group_name: str | None = None

    @property
    def key_part(self) -> str:
        return self.part or self.state_machine_name


@dataclass(frozen=True)
class RuleRef:
    """An EventBridge rule (schedule or pattern); custom buses add the EventBusName dimension."""

    rule_name: str
    event_bus_name: str | None = None
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.rule_name


@dataclass(frozen=True)
class ScheduleRef:
    """An EventBridge Scheduler schedule in a group of its own (AWS/Scheduler metrics are per group),
    and the function it runs, whose invocations prove each run happened."""

    schedule_name: str
    group_name: str
    function_name: str
    expression: str
    max_interval_seconds: int
    grace_seconds: int
    part: str = ""
    watch_missed_runs: bool = True

    @property
    def key_part(self) -> str:
        return self.part or self.schedule_name


@dataclass(frozen=True)
class DeliveryStreamRef:
    """A Firehose delivery stream and the buffer interval its freshness is judged against."""

    stream_name: str
    buffer_seconds: int
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.stream_name


@dataclass(frozen=True)
class LoadBalancerRef:
    """An Application Load Balancer and the target group of a container service.

    AWS/ApplicationELB metrics are dimensioned by `app/<name>/<id>` and `targetgroup/<name>/<id>`, whose
    ids AWS assigns at creation: the component passes them as `DeployTimeValue`s (see
    `observability/deploy_time.py`); tests may pass plain strings. Names are ours, and deterministic.
    """

    load_balancer_name: str
    target_group_name: str
    load_balancer_dimension: str
    target_group_dimension: str
    #: The S3 bucket the load balancer writes its access logs to.
    access_log_bucket: str | None = None
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.load_balancer_name


@dataclass(frozen=True)
class EcsServiceRef:
    """An ECS service on Fargate: AWS/ECS and Container Insights metrics are dimensioned by cluster and service."""

    cluster_name: str
    service_name: str
    log_group_name: str
    desired_count: int
    part: str = ""

    @property
    def key_part(self) -> str:
        return self.part or self.service_name


@dataclass(frozen=True)
class LogShippingRef:
    """The CloudWatch Logs to OpenSearch shipper and its dead-letter store."""

    function: LambdaRef
    dead_letter_bucket: str
    metrics_namespace: str
    service: str = "log-shipping"
    # Present when logs reach the shipper through Kinesis (prod path).
    kinesis: KinesisRef | None = None
    # Drawn on the overview beside the shipping metrics, so every function and queue of the path is on a dashboard.
    bootstrap: LambdaRef | None = None
    failure_queue: QueueRef | None = None


@dataclass(frozen=True)
class ServiceView:
    """Everything one service owns, as the dashboards and alarm roll-up see it."""

    service: str
    stack: str
    region: str
    account_id: str
    lambdas: tuple[LambdaRef, ...] = ()
    apis: tuple[RestApiRef, ...] = ()
    tables: tuple[TableRef, ...] = ()
    streams: tuple[KinesisRef, ...] = ()
    queues: tuple[QueueRef, ...] = ()
    topics: tuple[TopicRef, ...] = ()
    state_machines: tuple[StateMachineRef, ...] = ()
    rules: tuple[RuleRef, ...] = ()
    schedules: tuple[ScheduleRef, ...] = ()
    delivery_streams: tuple[DeliveryStreamRef, ...] = ()
    load_balancers: tuple[LoadBalancerRef, ...] = ()
    ecs_services: tuple[EcsServiceRef, ...] = ()
    xray_group_name: str | None = None
    opensearch_dashboards_url: str | None = None
    # The service's own CloudWatch dashboard, linked from its overview row.
    dashboard_name: str | None = None

    @property
    def log_group_names(self) -> tuple[str, ...]:
        """Function, API access and container log groups, de-duplicated, in declaration order."""
        names = [fn.log_group_name for fn in self.lambdas] + [api.access_log_group_name for api in self.apis]
        names += [ecs.log_group_name for ecs in self.ecs_services]
        return tuple(dict.fromkeys(names))
