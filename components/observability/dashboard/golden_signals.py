"""The four golden signals of a service (traffic, errors, latency, saturation) from whatever it owns.

The overview shows one row per service; a row must mean the same thing whatever the service is
made of, so each resource kind says here which of its metrics feeds which signal. A kind that has
nothing to say about a signal (an SNS topic has no latency) simply contributes nothing. Adding a
kind to ``ServiceView`` means adding one ``KindSignals`` to ``_KIND_SIGNALS``; the overview never names a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any

from components.observability._factory import ResourceMetrics
from components.observability.alb.alarms import NAMESPACE as ALB_NAMESPACE
from components.observability.apigateway.alarms import NAMESPACE as API_NAMESPACE, api_dimensions
from components.observability.dynamodb.alarms import NAMESPACE as DYNAMODB_NAMESPACE
from components.observability.ecs.alarms import NAMESPACE as ECS_NAMESPACE
from components.observability.events.alarms import NAMESPACE as EVENTS_NAMESPACE, rule_dimensions
from components.observability.firehose.alarms import NAMESPACE as FIREHOSE_NAMESPACE
from components.observability.kinesis.alarms import NAMESPACE as KINESIS_NAMESPACE
from components.observability.lambda_.alarms import NAMESPACE as LAMBDA_NAMESPACE
from components.observability.model import MetricStat
from components.observability.refs import ServiceView
from components.observability.scheduler.alarms import NAMESPACE as SCHEDULER_NAMESPACE
from components.observability.sns.alarms import NAMESPACE as SNS_NAMESPACE
from components.observability.sqs.alarms import NAMESPACE as SQS_NAMESPACE
from components.observability.stepfunctions.alarms import NAMESPACE as STATES_NAMESPACE


class Signal(str, Enum):
    """Google SRE's golden signals, in the order the overview row shows them."""

    TRAFFIC = "traffic"
    ERRORS = "errors"
    LATENCY = "latency"
    SATURATION = "saturation"


@dataclass(frozen=True)
class SignalMetric:
    """One line on a golden-signal graph; ``label`` names the resource and what is counted."""

    signal: Signal
    metric: MetricStat
    label: str


@dataclass(frozen=True)
class KindSignals:
    """Which metrics of one resource kind feed which signal: ``(signal, metric, statistic, what)``."""

    refs: Callable[[ServiceView], Sequence[Any]]
    namespace: str
    dimensions: Callable[[Any], Mapping[str, str]]
    kind: str
    metrics: tuple[tuple[Signal, str, str, str], ...]

    def of(self, ref: Any, period: int) -> list[SignalMetric]:
        m = ResourceMetrics(self.namespace, self.dimensions(ref), period)
        return [SignalMetric(signal, m.stat(name, stat), f"{self.kind} {ref.key_part} {what}")
                for signal, name, stat, what in self.metrics]


T, E, L, S = Signal.TRAFFIC, Signal.ERRORS, Signal.LATENCY, Signal.SATURATION

# The same kind order as the alarms (service_alarms._KIND_FACTORIES), so rows read alike.
_KIND_SIGNALS: tuple[KindSignals, ...] = (
    KindSignals(attrgetter("lambdas"), LAMBDA_NAMESPACE, lambda fn: {"FunctionName": fn.function_name}, "Lambda",
                ((T, "Invocations", "Sum", "invocations"), (E, "Errors", "Sum", "errors"),
                 (L, "Duration", "p99", "p99 duration (ms)"), (S, "ConcurrentExecutions", "Maximum", "concurrency"),
                 (S, "Throttles", "Sum", "throttles"))),
    KindSignals(attrgetter("apis"), API_NAMESPACE, api_dimensions, "API",
                ((T, "Count", "Sum", "requests"), (E, "5XXError", "Sum", "5XX"),
                 (L, "Latency", "p99", "p99 latency (ms)"))),
    KindSignals(attrgetter("tables"), DYNAMODB_NAMESPACE, lambda t: {"TableName": t.table_name}, "DynamoDB",
                ((S, "ReadThrottleEvents", "Sum", "read throttles"), (S, "WriteThrottleEvents", "Sum", "write throttles"))),
    KindSignals(attrgetter("streams"), KINESIS_NAMESPACE, lambda s: {"StreamName": s.stream_name}, "Kinesis",
                ((T, "IncomingRecords", "Sum", "records in"),
                 (L, "GetRecords.IteratorAgeMilliseconds", "Maximum", "iterator age (ms)"),
                 (S, "WriteProvisionedThroughputExceeded", "Sum", "writes throttled"))),
    KindSignals(lambda v: [q for q in v.queues if not q.is_dead_letter], SQS_NAMESPACE,
                lambda q: {"QueueName": q.queue_name}, "SQS",
                ((T, "NumberOfMessagesReceived", "Sum", "received"),
                 (L, "ApproximateAgeOfOldestMessage", "Maximum", "oldest message (s)"),
                 (S, "ApproximateNumberOfMessagesVisible", "Maximum", "backlog"))),
    # Anything in a dead-letter queue is a message that failed for good.
    KindSignals(lambda v: [q for q in v.queues if q.is_dead_letter], SQS_NAMESPACE,
                lambda q: {"QueueName": q.queue_name}, "DLQ",
                ((E, "ApproximateNumberOfMessagesVisible", "Maximum", "depth"),)),
    KindSignals(attrgetter("topics"), SNS_NAMESPACE, lambda t: {"TopicName": t.topic_name}, "SNS",
                ((T, "NumberOfMessagesPublished", "Sum", "published"),
                 (E, "NumberOfNotificationsFailed", "Sum", "failed deliveries"))),
    KindSignals(attrgetter("state_machines"), STATES_NAMESPACE, lambda m: {"StateMachineArn": m.state_machine_arn},
                "Step Functions",
                ((T, "ExecutionsStarted", "Sum", "started"), (E, "ExecutionsFailed", "Sum", "failed"),
                 (E, "ExecutionsTimedOut", "Sum", "timed out"), (L, "ExecutionTime", "p99", "p99 execution time (ms)"))),
    KindSignals(attrgetter("rules"), EVENTS_NAMESPACE, rule_dimensions, "EventBridge",
                ((T, "TriggeredRules", "Sum", "matched"), (E, "FailedInvocations", "Sum", "failed invocations"))),
    KindSignals(attrgetter("schedules"), SCHEDULER_NAMESPACE, lambda s: {"ScheduleGroup": s.group_name}, "Schedule",
                ((T, "InvocationAttemptCount", "Sum", "runs started"), (E, "TargetErrorCount", "Sum", "target errors"),
                 (E, "InvocationDroppedCount", "Sum", "runs dropped"),
                 (S, "InvocationThrottleCount", "Sum", "throttled"))),
    KindSignals(attrgetter("delivery_streams"), FIREHOSE_NAMESPACE, lambda d: {"DeliveryStreamName": d.stream_name},
                "Firehose",
                ((T, "DeliveryToS3.Records", "Sum", "archived"),
                 (L, "DeliveryToS3.DataFreshness", "Maximum", "oldest undelivered (s)"))),
    KindSignals(attrgetter("load_balancers"), ALB_NAMESPACE, lambda lb: {"LoadBalancer": lb.load_balancer_dimension},
                "Load balancer",
                ((T, "RequestCount", "Sum", "requests"), (E, "HTTPCode_Target_5XX_Count", "Sum", "task 5XX"),
                 (E, "HTTPCode_ELB_5XX_Count", "Sum", "load balancer 5XX"),
                 (L, "TargetResponseTime", "p99", "p99 response time (s)"))),
    KindSignals(attrgetter("ecs_services"), ECS_NAMESPACE,
                lambda ecs: {"ClusterName": ecs.cluster_name, "ServiceName": ecs.service_name}, "ECS",
                ((S, "CPUUtilization", "Average", "CPU %"), (S, "MemoryUtilization", "Average", "memory %"))),
)


def golden_signals(view: ServiceView, period: int) -> dict[Signal, list[SignalMetric]]:
    """Every signal, in ``Signal`` order, with the metrics of every resource that feeds it (maybe none)."""
    found = [m for kind in _KIND_SIGNALS for ref in kind.refs(view) for m in kind.of(ref, period)]
    return {signal: [m for m in found if m.signal is signal] for signal in Signal}
