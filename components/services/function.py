"""A Lambda function that cannot be deployed without its observability.

Every function on the platform is created here: its own least-privilege role, an explicit log
group with retention and encryption (registered for shipping), active tracing, the shared layer,
the telemetry environment, and its default alarms. Services compose these; none repeats them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.refs import LambdaRef
from components.resources.alarms import EmittedAlarms, emit_alarms
from components.resources.queues import Queue, dead_letter_queue
from components.services.access import Access, key_statement, merge, statement

#: Lambda's own limits: 15 minutes, 128 MB to 10 GB, 0 to 2 retries, 60 s to 6 h event age.
MAX_TIMEOUT_SECONDS = 900
MEMORY_RANGE = (128, 10240)
MAX_ASYNC_RETRIES = 2
EVENT_AGE_RANGE = (60, 6 * 3600)
_DESTINATION_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
                        "events": "events:PutEvents"}

Reservation = int | None | Literal["profile"]


@dataclass(frozen=True)
class AsyncInvocation:
    """How Lambda handles events it was handed asynchronously (the Internal Handoff pattern).

    `on_failure` None gives the function a dead-letter queue of its own, so an event that exhausts its
    retries or its age is kept, never dropped; destinations are SQS, SNS, Lambda or EventBridge ARNs.
    A destination encrypted with the stack key needs the key through its service: pass that service's
    `Access` (e.g. a topic's `publish_access`) in the function's `access`.
    """

    max_retries: int = MAX_ASYNC_RETRIES
    max_event_age_seconds: int = EVENT_AGE_RANGE[1]
    on_failure: pulumi.Input[str] | None = None
    on_success: pulumi.Input[str] | None = None

    def problems(self) -> list[str]:
        found = []
        if not 0 <= self.max_retries <= MAX_ASYNC_RETRIES:
            found.append(f"async_invocation.max_retries = {self.max_retries}: Lambda allows 0 to {MAX_ASYNC_RETRIES}")
        low, high = EVENT_AGE_RANGE
        if not low <= self.max_event_age_seconds <= high:
            found.append(f"async_invocation.max_event_age_seconds = {self.max_event_age_seconds}: Lambda allows "
                         f"{low} to {high}")
        return found


@dataclass(frozen=True)
class FunctionArgs:
    """A function of a service, as `__main__.py` declares it."""

    handler: str                             # e.g. "handlers.kitchen.app.handler"
    description: str = ""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    access: Sequence[Access] = ()            # what it may use of other services (env + IAM)
    memory_mb: int | None = None             # None: the environment profile
    timeout_seconds: int | None = None       # None: the environment profile
    reserved_concurrency: Reservation = "profile"
    #: Alarm on any error rather than an error rate: for functions that run rarely (see README).
    low_traffic: bool = False
    async_invocation: AsyncInvocation | None = None
    #: Secrets the handler reads at start-up: env var -> value (a Pulumi secret). The service stores each
    #: in Secrets Manager under the stack key and passes its ARN in that variable, never the value.
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: Which of its service's tables the function uses (by part); None: all of them.
    tables: Sequence[str] | None = None

    def problems(self, prefix: str = "", service_tables: Sequence[str] | None = None) -> list[str]:
        """`service_tables`: the parts of the service's tables, which `tables` may choose from."""
        found = []
        parts = self.handler.split(".")
        if len(parts) < 2 or not all(p.isidentifier() for p in parts):
            found.append(f"{prefix}handler = {self.handler!r}: must be a dotted path such as handlers.kitchen.app.handler")
        if self.timeout_seconds is not None and not 1 <= self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
            found.append(f"{prefix}timeout_seconds = {self.timeout_seconds}: Lambda allows 1 to {MAX_TIMEOUT_SECONDS}")
        if self.memory_mb is not None and not MEMORY_RANGE[0] <= self.memory_mb <= MEMORY_RANGE[1]:
            found.append(f"{prefix}memory_mb = {self.memory_mb}: Lambda allows {MEMORY_RANGE[0]} to {MEMORY_RANGE[1]}")
        reserved = self.reserved_concurrency
        if isinstance(reserved, int) and not isinstance(reserved, bool) and reserved < 0:
            found.append(f"{prefix}reserved_concurrency = {reserved}: use None for unreserved, or 0 and above")
        if self.async_invocation is not None:
            found += [prefix + problem for problem in self.async_invocation.problems()]
        for name in self.secrets:
            if not name.isidentifier() or not name.isupper():
                found.append(f"{prefix}secrets: {name!r} must be an UPPER_CASE environment variable name")
        if self.tables is not None and service_tables is not None:
            unknown = sorted(set(self.tables) - set(service_tables))
            if unknown:
                found.append(f"{prefix}tables: {unknown} are not tables of this service ({sorted(service_tables)})")
        return found

    def timeout(self, core: PlatformCore) -> int:
        return core.settings.lambda_.timeout_seconds if self.timeout_seconds is None else self.timeout_seconds


@dataclass(frozen=True)
class FunctionSpec:
    service: str
    part: str                               # e.g. "api"; names become <prefix>-<service>-<part>
    handler: str                            # e.g. "handlers.orders.app.handler"
    description: str
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    statements: Sequence[pulumi.Input[dict]] = ()   # extra IAM statements beyond logs and traces
    memory_mb: int | None = None            # None: the environment profile
    timeout_seconds: int | None = None
    reserved_concurrency: Reservation = "profile"   # None: unreserved
    ship_logs: bool = True
    not_shipped_reason: str = ""
    reads_stream: bool = False
    invoked_async: bool = False             # adds the lost-async-event alarm
    access: Access = field(default_factory=Access)
    low_traffic: bool = False
    async_invocation: AsyncInvocation | None = None

    @classmethod
    def of(cls, service: str, part: str, args: FunctionArgs, *, extra: Sequence[Access] = (),
           **overrides: Any) -> "FunctionSpec":
        """A service's function from what the user declared plus what the component wires in."""
        spec = cls(service=service, part=part, handler=args.handler,
                   description=args.description or f"{service} {part}", environment=dict(args.environment),
                   memory_mb=args.memory_mb, timeout_seconds=args.timeout_seconds,
                   reserved_concurrency=args.reserved_concurrency, access=merge([*args.access, *extra]),
                   low_traffic=args.low_traffic, async_invocation=args.async_invocation)
        return replace(spec, **overrides) if overrides else spec


def function_target_problems(where: str, invoker: str, function: Any, argument: str) -> list[str]:
    """A function another service invokes asynchronously (SNS, EventBridge) must keep what it fails on.

    Without `async_invocation` Lambda retries twice and then drops the event, so such a wiring is an
    argument error, found before anything is created rather than by the stack invariants after.
    """
    spec = getattr(function, "spec", None)
    if spec is None or not hasattr(function, "arn"):
        return [f"{where}: {argument} takes a function (an ObservedFunction, e.g. a service's .function)"]
    if spec.async_invocation is None:
        return [f"{where}: {invoker} invokes functions asynchronously; give {spec.service}'s function "
                "async_invocation so the events it fails on are kept"]
    return []


def telemetry_environment(core: PlatformCore, service: str, logs_shipped: bool = True) -> dict[str, str]:
    """The contract in docs/conventions.md: what the telemetry package reads at start-up.

    Spans are written as log lines, which reach the trace index by the log shipper. A function
    whose logs are not shipped (the shipper itself) writes none: no one would index them, and
    CloudWatch would still bill their ingestion. Its AWS calls stay traced by X-Ray.
    """
    return {"SERVICE_NAME": service, "ENVIRONMENT": core.settings.stack,
            "METRICS_NAMESPACE": core.namer.metrics_namespace(),
            "TELEMETRY_EXPORTER": "log" if logs_shipped else "none", "LOG_LEVEL": core.settings.lambda_.log_level}


def destination_statement(arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[dict]:
    """Lambda sends async results with the function's own role, so the role needs the send action."""
    def build(resolved: list[str]) -> dict:
        actions = sorted({_DESTINATION_ACTIONS[arn.split(":")[2]] for arn in resolved})
        return {"Sid": "DeliverAsyncResults", "Effect": "Allow", "Action": actions,
                "Resource": resolved[0] if len(resolved) == 1 else sorted(resolved)}
    return pulumi.Output.all(*arns).apply(build)


class ObservedFunction(pulumi.ComponentResource):
    def __init__(self, name: str, spec: FunctionSpec, core: PlatformCore,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:lambda:ObservedFunction", name, None, opts)
        settings, namer = core.settings, core.namer
        child = pulumi.ResourceOptions(parent=self)
        tags = core.tags_for(spec.service)
        self.spec = spec
        self.function_name = namer.physical(spec.service, spec.part, "lambda")
        self.log_group_name = namer.log_group(spec.service, f"lambda-{spec.part}")
        self.timeout_seconds = spec.timeout_seconds or settings.lambda_.timeout_seconds
        reserved = settings.lambda_.reserved_concurrency if spec.reserved_concurrency == "profile" \
            else spec.reserved_concurrency
        self.reserved_concurrency: int | None = reserved  # type: ignore[assignment]

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=self.log_group_name, retention_in_days=settings.log_retention_days,
            kms_key_id=core.key.arn, tags=tags, opts=child)
        core.log_shipping.register(LogGroupRegistration(
            service=spec.service, part=f"lambda-{spec.part}", name=self.log_group_name, log_group=self.log_group,
            owner=self, ship=spec.ship_logs, reason=spec.not_shipped_reason))

        self.failure_queue: Queue | None = None
        destinations: list[pulumi.Input[str]] = []
        if spec.async_invocation is not None:
            if spec.async_invocation.on_failure is None:
                self.failure_queue = dead_letter_queue(f"{name}-failed", core, spec.service, f"{spec.part}-failed",
                                                       parent=self)
            destinations = [arn for arn in (spec.async_invocation.on_failure or self.failure_queue.arn,  # type: ignore[union-attr]
                                            spec.async_invocation.on_success) if arn is not None]

        self.role = aws.iam.Role(
            f"{name}-role", name=namer.physical(spec.service, spec.part, "iam_role"),
            assume_role_policy=iam.assume_role_policy("lambda.amazonaws.com"), tags=tags, opts=child)
        base = [iam.write_logs(core.account, [self.log_group_name]), iam.write_traces()]
        extra: list[pulumi.Input[dict]] = [*spec.statements, *spec.access.statements]
        key_services = set(spec.access.key_services)
        if destinations:
            extra.append(destination_statement(destinations))
        if self.failure_queue is not None:
            key_services.add("sqs")
        if key_services:
            extra.append(key_statement(core.account, core.key.arn, sorted(key_services)))
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id,
            policy=pulumi.Output.all(*extra).apply(lambda more: iam.document([*base, *more])),
            opts=child)

        self.function = aws.lambda_.Function(
            f"{name}-function",
            name=self.function_name,
            description=spec.description,
            runtime=settings.lambda_.runtime,
            architectures=[settings.lambda_.architecture],
            handler=spec.handler,
            code=core.code.code_archive,
            layers=[core.layer.arn],
            role=self.role.arn,
            memory_size=spec.memory_mb or settings.lambda_.memory_mb,
            timeout=self.timeout_seconds,
            reserved_concurrent_executions=-1 if reserved is None else reserved,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=self.log_group_name),
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={**telemetry_environment(core, spec.service, spec.ship_logs), **spec.access.environment,
                           **spec.environment}),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, self.policy]),
        )
        self.arn: pulumi.Output[str] = self.function.arn
        if spec.async_invocation is not None:
            self._async_config(name, spec.async_invocation, destinations)
        core.trace(self.function_name)
        core.functions.append(self)
        self.ref = LambdaRef(function_name=self.function_name, timeout_seconds=self.timeout_seconds,
                             log_group_name=self.log_group_name, reserved_concurrency=reserved,
                             part=spec.part, reads_stream=spec.reads_stream,
                             invoked_async=spec.invoked_async or spec.async_invocation is not None,
                             low_traffic=spec.low_traffic)
        # The failure queue's depth alarm belongs to the service, which shows the queue on its dashboard.
        self.alarm_specs = lambda_alarms(self.ref, settings.alarms)
        self.alarms: EmittedAlarms = emit_alarms(
            self.alarm_specs, namer=namer, ctx=core.account, service=spec.service,
            topics=core.alarm_topics, tags=tags, parent=self, logical_prefix=name)
        self.register_outputs({"functionName": self.function.name, "arn": self.function.arn})

    def _async_config(self, name: str, config: AsyncInvocation, destinations: list[pulumi.Input[str]]) -> None:
        on_failure, on_success = destinations[0], config.on_success
        aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async", function_name=self.function.name, maximum_retry_attempts=config.max_retries,
            maximum_event_age_in_seconds=config.max_event_age_seconds,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=on_failure),
                on_success=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnSuccessArgs(destination=on_success)
                if on_success is not None else None),
            opts=pulumi.ResourceOptions(parent=self))

    def invoke_access(self, env_var: str) -> Access:
        """For another function that calls this one synchronously (the Internal API pattern)."""
        return Access(environment={env_var: self.function.name},
                      statements=(statement("Invoke" + "".join(w.capitalize() for w in self.spec.part.split("-"))
                                            + "Function", ["lambda:InvokeFunction"], self.arn),))
