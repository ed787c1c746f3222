"""What a function's role grants, against what its handler declares and what Lambda itself needs.

Grants and needs are compared as (action, owner): the owner is the stack resource an ARN belongs to
(a table owns its indexes and streams, a bucket its objects, a log group its streams), or "*". Needs
come from two places only:
- the handler package's declaration (`handlers/<package>/permissions.py`), each action on the
  resource its environment variable names;
- what Lambda does with the function's role: write its log group, send traces, read its event
  sources, deliver to its on-failure and on-success destinations;
and the stack key, through exactly the services of those resources.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from handlers.permissions import Declaration
from policy.platform_policy.model import Resource, Stack, listed
from policy.platform_policy.rules.iam import WILDCARD_RESOURCE_ACTIONS

FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
KEY = "aws:kms/key:Key"
#: What Lambda's poller does with the function's role, per event source (AWS's execution-role policies).
EVENT_SOURCE_ACTIONS = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis": ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"),
    "dynamodb": ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                 "dynamodb:ListStreams"),
}
DESTINATION_ACTIONS = {"sqs": "sqs:SendMessage", "sns": "sns:Publish", "lambda": "lambda:InvokeFunction",
                       "events": "events:PutEvents"}
KEY_ACTIONS = {"kms:Decrypt", "kms:GenerateDataKey"}

Need = tuple[str, str]      # (IAM action, owner: a logical resource name or "*")


@dataclass
class Verdict:
    function: str
    broader: list[str]      # granted, but neither declared nor needed by Lambda
    missing: list[str]      # declared, but not granted: the handler would get AccessDenied

    @property
    def problems(self) -> list[str]:
        return [f"{self.function}: grants {g} beyond what its handler declares or Lambda needs" for g in self.broader] \
            + [f"{self.function}: its handler declares {m}, which the role does not grant" for m in self.missing]


class Owners:
    """The stack resource an ARN (or ARN pattern) belongs to."""

    def __init__(self, stack: Stack) -> None:
        arns = [(r.get("arn"), r) for r in stack if r.type.startswith("aws:") and isinstance(r.get("arn"), str)]
        self._arns = sorted(arns, key=lambda pair: -len(pair[0]))

    def of(self, arn: str) -> str:
        if arn == "*":
            return "*"
        for known, resource in self._arns:
            if arn == known or arn.startswith(known + "/") or arn.startswith(known + ":"):
                return resource.name
        return f"(not in the stack) {arn}"


def _service(arn: str) -> str:
    return arn.split(":")[2] if arn.startswith("arn:") else ""


#: The resource type an action's service acts on, for names several resources share (a function and its
#: role are both `<prefix>-<service>-<part>`).
_TYPE_OF_SERVICE = {"lambda": "aws:lambda/function:", "dynamodb": "aws:dynamodb/table:", "sns": "aws:sns/topic:",
                    "sqs": "aws:sqs/queue:", "secretsmanager": "aws:secretsmanager/secret:",
                    "events": "aws:cloudwatch/eventBus:", "kinesis": "aws:kinesis/stream:", "states": "aws:sfn/"}


def _typed(stack: Stack, identifier: str, service: str | None) -> Resource | None:
    prefix = _TYPE_OF_SERVICE.get(service or "")
    if prefix is None:
        return None
    return next((r for r in stack if r.type.startswith(prefix) and identifier in
                 (r.get("arn"), r.get("url"), r.get("id"), r.get("name"))), None)


def resolve(stack: Stack, fn: Resource, variable: str, from_input: bool = False,
            service: str | None = None) -> Resource | None:
    """The resource the function's environment variable names; for a variable whose resource arrives in
    the event (the bootstrap's endpoint), the one the same variable names for another function.
    `service` (the declared actions' service) picks among resources that share a name."""
    values = [fn.get("environment", "variables", variable)]
    if from_input:
        values += [f.get("environment", "variables", variable) for f in stack.of_type(FUNCTION) if f is not fn]
    for value in values:
        if not isinstance(value, str):
            continue
        found = _typed(stack, value, service) or stack.find(value) or stack.find(value.removeprefix("https://"))
        if found is None:
            found = next((d for d in stack.of_type("aws:opensearch/domain:Domain")
                          if d.get("endpoint") == value.removeprefix("https://")), None)
        if found is not None:
            return found
    return None


def grants(stack: Stack, fn: Resource, owners: Owners) -> tuple[set[Need], list[dict[str, Any]]]:
    """(action, owner) pairs the function's role allows, and its statements on the stack key."""
    role = str(fn.get("role")).rsplit("/", 1)[-1]
    found: set[Need] = set()
    key_statements = []
    for policy in stack.of_type(ROLE_POLICY):
        if policy.get("role") != role:
            continue
        for statement in json.loads(policy.get("policy"))["Statement"]:
            actions = listed(statement["Action"])
            if statement.get("Effect") == "Allow" and set(actions) <= KEY_ACTIONS | {"kms:GenerateDataKey*"}:
                key_statements.append(statement)
                continue
            found |= {(a, owners.of(r)) for a in actions for r in listed(statement["Resource"])}
    return found, key_statements


def lambda_needs(stack: Stack, fn: Resource, owners: Owners, region: str, account: str) -> set[Need]:
    """What Lambda does with the function's role, whatever the handler's code."""
    name = fn.get("name")
    group = fn.get("loggingConfig", "logGroup")
    needs: set[Need] = {(a, owners.of(f"arn:aws:logs:{region}:{account}:log-group:{group}:*"))
                        for a in ("logs:CreateLogStream", "logs:PutLogEvents")}
    needs |= {(a, "*") for a in WILDCARD_RESOURCE_ACTIONS if a.startswith("xray:")}
    destinations: list[str] = []
    for mapping in stack.of_type(MAPPING):
        if mapping.get("functionName") != name:
            continue
        source = mapping.get("eventSourceArn")
        needs |= {(a, owners.of(source)) for a in EVENT_SOURCE_ACTIONS[_service(source)]}
        destinations.append(mapping.get("destinationConfig", "onFailure", "destinationArn"))
    for config in stack.of_type(INVOKE_CONFIG):
        if config.get("functionName") == name:
            destinations += [config.get("destinationConfig", "onFailure", "destination"),
                             config.get("destinationConfig", "onSuccess", "destination")]
    needs |= {(DESTINATION_ACTIONS[_service(d)], owners.of(d)) for d in destinations if isinstance(d, str)}
    return needs


def declared_needs(stack: Stack, fn: Resource, declaration: Declaration) -> set[Need]:
    """The declaration on the resources it names; a variable the function has no resource for is skipped
    (that code path of the handler is off, as orders' ORDER_EVENTS_TOPIC_ARN in the café)."""
    needs: set[Need] = set()
    for variable, actions in declaration.iam_actions.items():
        services = {action.split(":")[0] for action in actions}
        target = resolve(stack, fn, variable, from_input=variable in declaration.from_input,
                         service=services.pop() if len(services) == 1 else None)
        if target is not None:
            needs |= {(a, target.name) for a in actions}
    return needs


def verdict(stack: Stack, fn: Resource, declaration: Declaration, pending: Iterable[str] = ()) -> Verdict:
    """`pending`: variables the contract gives the function but its handler does not use yet; what the role
    grants on their resources is neither required nor reported."""
    owners = Owners(stack)
    arn = str(fn.get("arn")).split(":")
    region, account = arn[3], arn[4]
    granted, key_statements = grants(stack, fn, owners)
    declared = declared_needs(stack, fn, declaration)
    pending_owners = {target.name for target in (resolve(stack, fn, v) for v in pending) if target is not None}
    needed = declared | lambda_needs(stack, fn, owners, region, account)
    broader = sorted(f"{a} on {o}" for a, o in granted - needed if o not in pending_owners)
    missing = sorted(f"{a} on {o}" for a, o in declared - granted)
    services = {action.split(":")[0] for action, _ in granted & needed}
    keys = {k.get("arn") for k in stack.of_type(KEY)}
    for statement in key_statements:
        via = {v.split(".")[0] for v in listed(statement.get("Condition", {}).get("StringEquals", {})
                                               .get("kms:ViaService"))}
        if not via or not set(listed(statement["Resource"])) <= keys:
            broader.append(f"{statement.get('Sid')}: the stack key without a kms:ViaService condition")
        elif via - services:
            broader.append(f"{statement.get('Sid')}: the stack key through {sorted(via - services)}, which the "
                           "function uses nothing of")
    return Verdict(fn.name, broader, missing)
