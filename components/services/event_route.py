"""`EventRoute`: an EventBridge bus and the rules that route its events to targets (the Router).

Every target gets a retry policy and a dead-letter queue of its own, so an event that cannot be
delivered is kept for redrive rather than dropped after the last retry. Failed invocations,
throttled rules, events that could not even reach the DLQ, and DLQ depth are alarmed per rule.
Publishers get `put_access`: the bus name and `events:PutEvents` on this bus only.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.observability.refs import RuleRef, ServiceView
from components.resources.queues import Queue, allow_service_to_send, dead_letter_queue
from components.services.access import Access, sid, statement
from components.services.function import function_target_problems
from components.services.service import ServiceArgs, ServiceComponent

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
#: EventBridge retries a target for up to 24 hours and 185 attempts.
MAX_EVENT_AGE_SECONDS = 86400
MAX_RETRIES = 185
DEFAULT_BUS = "default"


@dataclass(frozen=True)
class InputTransformer:
    """What the target receives instead of the whole event: `paths` name values, `template` uses them."""

    paths: Mapping[str, str]
    template: str


@dataclass(frozen=True)
class Target:
    name: str
    input_transformer: InputTransformer | None = None
    max_retries: int = MAX_RETRIES
    max_event_age_seconds: int = MAX_EVENT_AGE_SECONDS

    def problems(self, where: str) -> list[str]:
        found = []
        if not _NAME.fullmatch(self.name):
            found.append(f"{where}: target name {self.name!r} must be lowercase letters, digits and '-'")
        if not 0 <= self.max_retries <= MAX_RETRIES:
            found.append(f"{where}: max_retries = {self.max_retries}: EventBridge allows 0 to {MAX_RETRIES}")
        if not 60 <= self.max_event_age_seconds <= MAX_EVENT_AGE_SECONDS:
            found.append(f"{where}: max_event_age_seconds = {self.max_event_age_seconds}: 60 to {MAX_EVENT_AGE_SECONDS}")
        return found


@dataclass(frozen=True)
class WorkflowTarget(Target):
    """Starts an execution of a `Workflow` for each matching event."""

    workflow: Any = None


@dataclass(frozen=True)
class FunctionTarget(Target):
    """Invokes a function (e.g. `service.function`) asynchronously; the function must have `async_invocation`,
    so the events it fails on are kept too."""

    function: Any = None       # an ObservedFunction


@dataclass(frozen=True)
class QueueTarget(Target):
    """Sends the event to a `QueueWorker`'s queue (standard queues)."""

    worker: Any = None


@dataclass(frozen=True)
class Rule:
    name: str
    #: An EventBridge event pattern, e.g. {"source": ["cafe.orders"], "detail-type": ["OrderPlaced"]}.
    event_pattern: Mapping[str, Any]
    targets: Sequence[Target]
    description: str = ""


@dataclass(frozen=True)
class EventRouteArgs(ServiceArgs["EventRoute"]):
    rules: Sequence[Rule]
    #: "custom": a bus of this service's own (encrypted with the stack key); "default": the account's bus.
    bus: str = "custom"
    description: str = ""

    def problems(self, core: PlatformCore) -> list[str]:
        found: list[str] = []
        if self.bus not in ("custom", DEFAULT_BUS):
            found.append(f"bus = {self.bus!r}: 'custom' or 'default'")
        if not self.rules:
            found.append("rules: at least one rule")
        names = [r.name for r in self.rules]
        if len(names) != len(set(names)):
            found.append(f"rules: names {names} must be distinct")
        queue_targets: dict[int, str] = {}      # a worker's queue -> the rule and target that send to it
        for rule in self.rules:
            where = f"rule {rule.name}"
            if not _NAME.fullmatch(rule.name):
                found.append(f"{where}: name must be lowercase letters, digits and '-'")
            if not isinstance(rule.event_pattern, Mapping) or not rule.event_pattern:
                found.append(f"{where}: event_pattern must be a non-empty mapping")
            else:
                found += _pattern_problems(where, rule.event_pattern)
            if not rule.targets or len(rule.targets) > 5:
                found.append(f"{where}: 1 to 5 targets (EventBridge's limit per rule)")
            target_names = [t.name for t in rule.targets]
            if len(target_names) != len(set(target_names)):
                found.append(f"{where}: target names {target_names} must be distinct")
            for target in rule.targets:
                found += target.problems(f"{where} target {target.name}")
                if isinstance(target, QueueTarget) and (target.worker is None or target.worker.fifo
                                                        or target.worker.subscribed_to):
                    found.append(f"{where} target {target.name}: needs a standard QueueWorker whose queue takes "
                                 "no topic")
                elif isinstance(target, QueueTarget):
                    first = queue_targets.setdefault(id(target.worker), f"{where} target {target.name}")
                    if first != f"{where} target {target.name}":
                        found.append(f"{where} target {target.name}: the queue of {target.worker.service} is already "
                                     f"the target of {first}; a queue has one policy, so one target may send to it")
                if isinstance(target, WorkflowTarget) and target.workflow is None:
                    found.append(f"{where} target {target.name}: WorkflowTarget takes a Workflow")
                if isinstance(target, FunctionTarget):
                    found += function_target_problems(f"{where} target {target.name}", "EventBridge",
                                                      target.function, "FunctionTarget")
        return found

    def build(self, service: str, core: PlatformCore) -> EventRoute:
        return EventRoute(service, self, core)


def _pattern_problems(where: str, pattern: Mapping[str, Any]) -> list[str]:
    """EventBridge patterns match with arrays (or nested objects) at every leaf; a bare string never matches."""
    found = []
    for key, value in pattern.items():
        if isinstance(value, Mapping):
            found += _pattern_problems(f"{where} {key}", value)
        elif not isinstance(value, list) or not value:
            found.append(f"{where}: event_pattern[{key!r}] must be a non-empty list or an object")
    return found


class EventRoute(ServiceComponent):
    kind = "event-route"

    def __init__(self, service: str, args: EventRouteArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:EventRoute", service, core)
        ctx = core.account
        self.bus: aws.cloudwatch.EventBus | None = None
        if args.bus == "custom":
            self.bus_name = core.namer.physical(service, "bus", "event_bus")
            self.bus = aws.cloudwatch.EventBus(f"{service}-bus", name=self.bus_name, kms_key_identifier=core.key.arn,
                                               description=args.description or f"{service} events",
                                               tags=self.tags, opts=self.child)
            self.bus_arn: pulumi.Output[str] = self.bus.arn
        else:
            self.bus_name = DEFAULT_BUS
            self.bus_arn = pulumi.Output.from_input(ctx.arn("events", "event-bus/default"))
        self.delivery_role: aws.iam.Role | None = None
        rules, dead_letters = [], []
        self._workflow_arns: list[pulumi.Input[str]] = []
        for rule in args.rules:
            ref, queues = self._rule(rule)
            rules.append(ref)
            dead_letters += queues
        if self.delivery_role is not None:
            aws.iam.RolePolicy(
                f"{service}-delivery-policy", role=self.delivery_role.id,
                policy=statement("StartWorkflows", ["states:StartExecution"], self._workflow_arns).apply(
                    lambda s: iam.document([s])), opts=self.child)
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=ctx.account_id, rules=tuple(rules),
                                 queues=tuple(q.ref for q in dead_letters)),
                     outputs={"eventBusName": self.bus_name})

    def _rule(self, rule: Rule) -> tuple[RuleRef, list[Queue]]:
        name = f"{self.service}-{rule.name}"
        rule_name = self.core.namer.physical(self.service, rule.name, "event_rule")
        resource = aws.cloudwatch.EventRule(
            f"{name}-rule", name=rule_name, event_bus_name=self.bus_name if self.bus else None,
            event_pattern=json.dumps(rule.event_pattern, sort_keys=True),
            description=rule.description or f"{self.service}: {rule.name}", tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bus] if self.bus else None))
        queues = []
        for target in rule.targets:
            dead = dead_letter_queue(f"{name}-{target.name}-dlq", self.core, self.service,
                                     f"{rule.name}-{target.name}-dlq", parent=self)
            allow_service_to_send(f"{name}-{target.name}-dlq-policy", dead, "events.amazonaws.com", [resource.arn], self)
            queues.append(dead)
            self._target(name, rule_name, resource, target, dead)
        return RuleRef(rule_name=rule_name, event_bus_name=self.bus_name, part=rule.name), queues

    def _target(self, name: str, rule_name: str, rule: aws.cloudwatch.EventRule, target: Target, dead: Queue) -> None:
        arn: pulumi.Input[str]
        role_arn: pulumi.Input[str] | None = None
        depends: list[pulumi.Resource] = []
        if isinstance(target, WorkflowTarget):
            arn = target.workflow.state_machine_arn
            role_arn = self._delivery_role(target).arn
        elif isinstance(target, FunctionTarget):
            arn = target.function.arn
            depends.append(aws.lambda_.Permission(
                f"{name}-{target.name}-invoke", action="lambda:InvokeFunction", function=target.function.function.name,
                principal="events.amazonaws.com", source_arn=rule.arn, opts=self.child))
        else:
            assert isinstance(target, QueueTarget)
            arn = target.worker.queue.arn
            depends.append(allow_service_to_send(f"{name}-{target.name}-queue-policy", target.worker.queue,
                                                 "events.amazonaws.com", [rule.arn], self))
            target.worker.subscribed_to = self.service
        transformer = None
        if target.input_transformer is not None:
            transformer = aws.cloudwatch.EventTargetInputTransformerArgs(
                input_paths=dict(target.input_transformer.paths), input_template=target.input_transformer.template)
        aws.cloudwatch.EventTarget(
            f"{name}-{target.name}", rule=rule.name, event_bus_name=self.bus_name if self.bus else None,
            target_id=target.name, arn=arn, role_arn=role_arn, input_transformer=transformer,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_retry_attempts=target.max_retries, maximum_event_age_in_seconds=target.max_event_age_seconds),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=dead.arn),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends))

    def _delivery_role(self, target: WorkflowTarget) -> aws.iam.Role:
        """EventBridge starts executions with a role that may start these workflows and nothing else."""
        if self.delivery_role is None:
            self.delivery_role = aws.iam.Role(
                f"{self.service}-delivery", name=self.core.namer.physical(self.service, "delivery", "iam_role"),
                assume_role_policy=iam.assume_role_policy("events.amazonaws.com"), tags=self.tags, opts=self.child)
        self._workflow_arns.append(target.workflow.state_machine_arn)
        return self.delivery_role

    def put_access(self, env_var: str) -> Access:
        """For a function that publishes events on this bus."""
        return Access(environment={env_var: self.bus_name},
                      statements=(statement(sid("put", "events", self.service), ["events:PutEvents"], self.bus_arn),))
