"""A Lambda function that cannot be deployed without its observability.

Every function on the platform is created here: its own least-privilege role, an explicit log
group with retention and encryption (registered for shipping), active tracing, the shared layer,
the telemetry environment, and its default alarms. Services compose these; none repeats them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.refs import LambdaRef
from components.resources.alarms import EmittedAlarms, emit_alarms


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
    reserved_concurrency: int | None | Literal["profile"] = "profile"   # None: unreserved
    ship_logs: bool = True
    not_shipped_reason: str = ""
    reads_stream: bool = False
    invoked_async: bool = False             # adds the lost-async-event alarm


def telemetry_environment(core: PlatformCore, service: str) -> dict[str, str]:
    """The contract in docs/conventions.md: what the telemetry package reads at start-up."""
    return {"SERVICE_NAME": service, "ENVIRONMENT": core.settings.stack,
            "METRICS_NAMESPACE": core.namer.metrics_namespace(), "TELEMETRY_EXPORTER": "log",
            "LOG_LEVEL": core.settings.lambda_.log_level}


class ObservedFunction(pulumi.ComponentResource):
    def __init__(self, name: str, spec: FunctionSpec, core: PlatformCore,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:lambda:ObservedFunction", name, None, opts)
        settings, namer = core.settings, core.namer
        child = pulumi.ResourceOptions(parent=self)
        tags = core.tags_for(spec.service)
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

        self.role = aws.iam.Role(
            f"{name}-role", name=namer.physical(spec.service, spec.part, "iam_role"),
            assume_role_policy=iam.assume_role_policy("lambda.amazonaws.com"), tags=tags, opts=child)
        base = [iam.write_logs(core.account, [self.log_group_name]), iam.write_traces()]
        self.policy = aws.iam.RolePolicy(
            f"{name}-policy", role=self.role.id,
            policy=pulumi.Output.all(*spec.statements).apply(lambda extra: iam.document([*base, *extra])),
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
                variables={**telemetry_environment(core, spec.service), **spec.environment}),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, self.policy]),
        )
        core.trace(self.function_name)
        self.ref = LambdaRef(function_name=self.function_name, timeout_seconds=self.timeout_seconds,
                             log_group_name=self.log_group_name, reserved_concurrency=reserved,
                             part=spec.part, reads_stream=spec.reads_stream, invoked_async=spec.invoked_async)
        self.alarms: EmittedAlarms = emit_alarms(
            lambda_alarms(self.ref, settings.alarms), namer=namer, ctx=core.account, service=spec.service,
            topics=core.alarm_topics, tags=tags, parent=self, logical_prefix=name)
        self.register_outputs({"functionName": self.function.name, "arn": self.function.arn})
