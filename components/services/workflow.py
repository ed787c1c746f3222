"""`Workflow`: a Step Functions standard state machine and the functions its states run (the State Machine
pattern, Sagas with compensating steps).

The definition is an Amazon States Language dict whose ARNs are placeholders (see `workflow_plan`),
so the role may invoke exactly the workflow's task functions and publish to exactly the topics named.
Every execution is logged at level ALL with its data to a log group of its own (shipped like every
log group), traced with X-Ray, and encrypted with the stack key. Task functions run rarely, so they
alarm on any error; the state machine alarms on failed, timed-out, throttled and aborted executions
and on p99 execution time against its TimeoutSeconds.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.observability.refs import ServiceView, StateMachineRef
from components.resources.tables import TableSpec
from components.services.access import Access, statement
from components.services.function import FunctionArgs
from components.services.service import ServiceArgs, ServiceComponent, declared
from components.services.workflow_plan import definition_problems, placeholders, substitute

#: Step Functions needs these to deliver execution logs; AWS documents them with Resource "*" because
#: log deliveries and resource policies have no ARN to name.
LOG_DELIVERY_ACTIONS = ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                        "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                        "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")


def task_part(task: str) -> str:
    """Task names follow Python (`reserve_stock`); resource names use hyphens."""
    return task.replace("_", "-")


@dataclass(frozen=True)
class WorkflowArgs(ServiceArgs["Workflow"]):
    definition: Mapping[str, Any]
    #: Task name (as in `${function:<task>}`) -> the function that runs it.
    tasks: Mapping[str, FunctionArgs] = field(default_factory=dict)
    #: Topic name (as in `${topic:<name>}`) -> a `Topic` service the workflow publishes to.
    topics: Mapping[str, Any] = field(default_factory=dict)
    tables: Sequence[TableSpec] = ()
    idempotency: bool = False
    description: str = ""

    def task_args(self, core: PlatformCore) -> dict[str, FunctionArgs]:
        """Task functions take the worker timeout unless they say otherwise, and alarm on any error."""
        return {name: replace(args, low_traffic=True, reserved_concurrency=None,
                              timeout_seconds=declared(args.timeout_seconds, core.settings.services.worker_timeout_seconds))
                for name, args in self.tasks.items()}

    def problems(self, core: PlatformCore) -> list[str]:
        found = definition_problems(self.definition, set(self.tasks), set(self.topics))
        for name, args in self.task_args(core).items():
            found += args.problems(f"tasks[{name}].", service_tables=[t.part for t in self.tables])
        for name, topic in self.topics.items():
            if not hasattr(topic, "publish_access"):
                found.append(f"topics[{name}]: must be a Topic service")
        try:
            json.dumps(self.definition)
        except (TypeError, ValueError):
            found.append("definition: must be JSON-serialisable")
        return found

    def build(self, service: str, core: PlatformCore) -> Workflow:
        return Workflow(service, self, core)


class Workflow(ServiceComponent):
    kind = "workflow"

    def __init__(self, service: str, args: WorkflowArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:Workflow", service, core)
        namer, ctx = core.namer, core.account
        self.add_tables(args.tables, idempotency=args.idempotency)
        self.task_functions = {name: self.add_function(task_part(name), task)
                               for name, task in args.task_args(core).items()}
        self.state_machine_name = namer.physical(service, "workflow", "state_machine")
        self.state_machine_arn = ctx.arn("states", f"stateMachine:{self.state_machine_name}")
        self.log_group_name = namer.log_group(service, "workflow")
        log_group = aws.cloudwatch.LogGroup(f"{service}-workflow-logs", name=self.log_group_name,
                                            retention_in_days=self.settings.log_retention_days,
                                            kms_key_id=core.key.arn, tags=self.tags, opts=self.child)
        core.log_shipping.register(LogGroupRegistration(service=service, part="workflow", name=self.log_group_name,
                                                        log_group=log_group, owner=self))
        role = self._role(args)
        used = placeholders(args.definition)
        values: dict[tuple[str, str], pulumi.Input[str]] = {
            ("function", name): fn.arn for name, fn in self.task_functions.items() if ("function", name) in used}
        values.update({("topic", name): topic.arn for name, topic in args.topics.items() if ("topic", name) in used})
        keys = list(values)
        definition = pulumi.Output.all(*values.values()).apply(
            lambda arns: json.dumps(substitute(args.definition, dict(zip(keys, arns))), sort_keys=True))
        self.state_machine = aws.sfn.StateMachine(
            f"{service}-workflow", name=self.state_machine_name, type="STANDARD", role_arn=role.arn,
            definition=definition,
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
                level="ALL", include_execution_data=True, log_destination=log_group.arn.apply(lambda a: f"{a}:*")),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True),
            encryption_configuration=aws.sfn.StateMachineEncryptionConfigurationArgs(
                type="CUSTOMER_MANAGED_KMS_KEY", kms_key_id=core.key.arn, kms_data_key_reuse_period_seconds=300),
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[self._policy]))
        core.trace(self.state_machine_name)
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=ctx.account_id,
                                 state_machines=(StateMachineRef(
                                     state_machine_name=self.state_machine_name,
                                     state_machine_arn=self.state_machine_arn, part="workflow",
                                     timeout_seconds=args.definition.get("TimeoutSeconds"),
                                     log_group_name=self.log_group_name),)),
                     outputs={"stateMachineArn": self.state_machine_arn})

    def _role(self, args: WorkflowArgs) -> aws.iam.Role:
        core, service = self.core, self.service
        role = aws.iam.Role(
            f"{service}-workflow-role", name=core.namer.physical(service, "workflow", "iam_role"),
            assume_role_policy=iam.document([{
                "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": core.account.account_id}}}]),
            tags=self.tags, opts=self.child)
        used = placeholders(args.definition)
        functions = [fn.arn for name, fn in self.task_functions.items() if ("function", name) in used]
        statements: list[pulumi.Input[dict]] = [
            {"Sid": "DeliverExecutionLogs", "Effect": "Allow", "Action": list(LOG_DELIVERY_ACTIONS), "Resource": "*"},
            iam.write_traces(),
        ]
        key_services = {"states"}
        if functions:
            statements.append(statement("RunTasks", ["lambda:InvokeFunction"], functions))
        for name, topic in sorted(args.topics.items()):
            if ("topic", name) in used:
                statements.append(topic.publish_statement())
                key_services.add("sns")
        statements.append(core.key.arn.apply(lambda arn: iam.use_key_via(core.account, arn, sorted(key_services))))
        self._policy = aws.iam.RolePolicy(f"{service}-workflow-policy", role=role.id,
                                          policy=pulumi.Output.all(*statements).apply(iam.document), opts=self.child)
        return role

    def start_access(self, env_var: str) -> Access:
        """For a function that starts executions of this workflow."""
        return Access(environment={env_var: self.state_machine_arn},
                      statements=(statement("StartWorkflow", ["states:StartExecution"], self.state_machine_arn),))
