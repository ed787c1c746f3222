"""The four golden signals of a service (traffic, errors, latency, saturation) from whatever it owns.

The overview shows one row per service; a row must mean the same thing whatever the service is
made of, so each resource kind says here which of its metrics feeds which signal. A kind that has
nothing to say about a signal (an SNS topic has no latency) simply contributes nothing. Adding a
kind to ``ServiceView`` means adding one entry to ``_KIND_SIGNALS``; the overview never names a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any

from components.observability._factory import ResourceMetrics
from components.observability.apigateway.alarms import NAMESPACE as API_NAMESPACE, api_dimensions
from components.observability.dynamodb.alarms import NAMESPACE as DYNAMODB_NAMESPACE
from components.observability.events.alarms import NAMESPACE as EVENTS_NAMESPACE, rule_dimensions
from components.observability.kinesis.alarms import NAMESPACE as KINESIS_NAMESPACE
from components.observability.lambda_.alarms import NAMESPACE as LAMBDA_NAMESPACE
from components.observability.model import MetricStat
from components.observability.refs import (
    KinesisRef,
    LambdaRef,
    QueueRef,
    RestApiRef,
    RuleRef,
    ServiceView,
    StateMachineRef,
    TableRef,
    TopicRef,
)
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


def _lambda(fn: LambdaRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(LAMBDA_NAMESPACE, {"FunctionName": fn.function_name}, period)
    name = f"Lambda {fn.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("Invocations", "Sum"), f"{name} invocations"),
        SignalMetric(Signal.ERRORS, m.stat("Errors", "Sum"), f"{name} errors"),
        SignalMetric(Signal.LATENCY, m.stat("Duration", "p99"), f"{name} p99 duration (ms)"),
        SignalMetric(Signal.SATURATION, m.stat("ConcurrentExecutions", "Maximum"), f"{name} concurrency"),
        SignalMetric(Signal.SATURATION, m.stat("Throttles", "Sum"), f"{name} throttles"),
    ]


def _api(api: RestApiRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(API_NAMESPACE, api_dimensions(api), period)
    name = f"API {api.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("Count", "Sum"), f"{name} requests"),
        SignalMetric(Signal.ERRORS, m.stat("5XXError", "Sum"), f"{name} 5XX"),
        SignalMetric(Signal.LATENCY, m.stat("Latency", "p99"), f"{name} p99 latency (ms)"),
    ]


def _table(table: TableRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(DYNAMODB_NAMESPACE, {"TableName": table.table_name}, period)
    name = f"DynamoDB {table.key_part}"
    return [
        SignalMetric(Signal.SATURATION, m.stat("ReadThrottleEvents", "Sum"), f"{name} read throttles"),
        SignalMetric(Signal.SATURATION, m.stat("WriteThrottleEvents", "Sum"), f"{name} write throttles"),
    ]


def _stream(stream: KinesisRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(KINESIS_NAMESPACE, {"StreamName": stream.stream_name}, period)
    name = f"Kinesis {stream.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("IncomingRecords", "Sum"), f"{name} records in"),
        SignalMetric(Signal.LATENCY, m.stat("GetRecords.IteratorAgeMilliseconds", "Maximum"), f"{name} iterator age (ms)"),
        SignalMetric(Signal.SATURATION, m.stat("WriteProvisionedThroughputExceeded", "Sum"), f"{name} writes throttled"),
    ]


def _queue(queue: QueueRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(SQS_NAMESPACE, {"QueueName": queue.queue_name}, period)
    if queue.is_dead_letter:
        # Anything in a dead-letter queue is a message that failed for good.
        return [SignalMetric(Signal.ERRORS, m.stat("ApproximateNumberOfMessagesVisible", "Maximum"),
                             f"DLQ {queue.key_part} depth")]
    name = f"SQS {queue.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("NumberOfMessagesReceived", "Sum"), f"{name} received"),
        SignalMetric(Signal.LATENCY, m.stat("ApproximateAgeOfOldestMessage", "Maximum"), f"{name} oldest message (s)"),
        SignalMetric(Signal.SATURATION, m.stat("ApproximateNumberOfMessagesVisible", "Maximum"), f"{name} backlog"),
    ]


def _topic(topic: TopicRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(SNS_NAMESPACE, {"TopicName": topic.topic_name}, period)
    name = f"SNS {topic.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("NumberOfMessagesPublished", "Sum"), f"{name} published"),
        SignalMetric(Signal.ERRORS, m.stat("NumberOfNotificationsFailed", "Sum"), f"{name} failed deliveries"),
    ]


def _state_machine(machine: StateMachineRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(STATES_NAMESPACE, {"StateMachineArn": machine.state_machine_arn}, period)
    name = f"Step Functions {machine.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("ExecutionsStarted", "Sum"), f"{name} started"),
        SignalMetric(Signal.ERRORS, m.stat("ExecutionsFailed", "Sum"), f"{name} failed"),
        SignalMetric(Signal.ERRORS, m.stat("ExecutionsTimedOut", "Sum"), f"{name} timed out"),
        SignalMetric(Signal.LATENCY, m.stat("ExecutionTime", "p99"), f"{name} p99 execution time (ms)"),
    ]


def _rule(rule: RuleRef, period: int) -> list[SignalMetric]:
    m = ResourceMetrics(EVENTS_NAMESPACE, rule_dimensions(rule), period)
    name = f"EventBridge {rule.key_part}"
    return [
        SignalMetric(Signal.TRAFFIC, m.stat("TriggeredRules", "Sum"), f"{name} matched"),
        SignalMetric(Signal.ERRORS, m.stat("FailedInvocations", "Sum"), f"{name} failed invocations"),
    ]


RefsOfKind = Callable[[ServiceView], Sequence[Any]]
KindSignals = Callable[[Any, int], list[SignalMetric]]

# The same kind order as the alarms (service_alarms._KIND_FACTORIES), so rows read alike.
_KIND_SIGNALS: tuple[tuple[RefsOfKind, KindSignals], ...] = (
    (attrgetter("lambdas"), _lambda),
    (attrgetter("apis"), _api),
    (attrgetter("tables"), _table),
    (attrgetter("streams"), _stream),
    (attrgetter("queues"), _queue),
    (attrgetter("topics"), _topic),
    (attrgetter("state_machines"), _state_machine),
    (attrgetter("rules"), _rule),
)


def golden_signals(view: ServiceView, period: int) -> dict[Signal, list[SignalMetric]]:
    """Every signal, in ``Signal`` order, with the metrics of every resource that feeds it (maybe none)."""
    found = [m for refs_of, build in _KIND_SIGNALS for ref in refs_of(view) for m in build(ref, period)]
    return {signal: [m for m in found if m.signal is signal] for signal in Signal}
