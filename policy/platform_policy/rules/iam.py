"""Least privilege: named actions on named resources, AWS-managed policies only where AWS requires them,
and every role assumable by exactly one AWS service."""
from __future__ import annotations

from typing import Any, Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown, listed, statements
from .resource_types import POLICY, ROLE, ROLE_POLICY

ATTACHMENTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
               "aws:iam/policyAttachment:PolicyAttachment")

#: Actions AWS offers no resource-level permission for, so `Resource: "*"` is required; each says why.
WILDCARD_RESOURCE_ACTIONS: dict[str, str] = {
    **{action: "X-Ray's trace and sampling APIs support no resource-level permissions"
       for action in ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                      "xray:GetSamplingTargets")},
    **{action: "Step Functions delivers execution logs through log deliveries and log resource policies, "
               "which have no ARN to name"
       for action in ("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
                      "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
                      "logs:DescribeResourcePolicies", "logs:DescribeLogGroups")},
    "ecr:GetAuthorizationToken": "ECR's registry login token is account-wide; pulling images is then limited to "
                                 "the service's repository",
    **{action: "ECS Exec's session channels are opened by the SSM agent in the task and have no ARN to name"
       for action in ("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                      "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel")},
}
#: AWS-managed policies a role of the platform may carry; each is the one AWS documents for its service.
MANAGED_POLICIES: dict[str, str] = {
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs":
        "API Gateway's account-wide logging role must carry it to write access logs",
    "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole":
        "AWS Config's recorder reads the configuration of the resource types it records with it",
}


def identity_statements(stack: Stack) -> Iterable[tuple[Resource, dict[str, Any]]]:
    """Every statement of every identity policy: role policies, managed policies, inline role policies."""
    for policy in stack.of_type(ROLE_POLICY, POLICY):
        for statement in statements(policy.get("policy")):
            yield policy, statement
    for role in stack.of_type(ROLE):
        for inline in role.get("inlinePolicies") or []:
            if isinstance(inline, dict):
                for statement in statements(inline.get("policy")):
                    yield role, statement


def _where(statement: dict[str, Any]) -> str:
    return f"statement {statement.get('Sid', '(no Sid)')}"


def _wildcard_actions(stack: Stack) -> Iterable[Finding]:
    for policy, statement in identity_statements(stack):
        if statement.get("Effect") != "Allow":
            continue
        wild = [a for a in listed(statement.get("Action")) if isinstance(a, str) and (a == "*" or a.endswith(":*"))]
        if wild or statement.get("NotAction") is not None:
            yield Finding(policy, f"{_where(statement)} allows {wild or 'NotAction'}; name each action")


def _wildcard_resources(stack: Stack) -> Iterable[Finding]:
    for policy, statement in identity_statements(stack):
        if statement.get("Effect") != "Allow" or "*" not in listed(statement.get("Resource")):
            continue
        others = sorted(a for a in listed(statement.get("Action")) if a not in WILDCARD_RESOURCE_ACTIONS)
        if others:
            yield Finding(policy, f"{_where(statement)} grants {others} on Resource '*'")


def _admin(stack: Stack) -> Iterable[Finding]:
    for policy, statement in identity_statements(stack):
        if statement.get("Effect") == "Allow" and "*" in listed(statement.get("Action")):
            yield Finding(policy, f"{_where(statement)} grants every action: administrator rights")
    for attachment in stack.of_type(*ATTACHMENTS):
        arn = attachment.get("policyArn")
        if not is_unknown(arn) and arn not in MANAGED_POLICIES:
            yield Finding(attachment, f"attaches {arn}, which is not one of the documented service policies")


def _trust(stack: Stack) -> Iterable[Finding]:
    for role in stack.of_type(ROLE):
        trust = role.get("assumeRolePolicy")
        if is_unknown(trust):
            continue
        found = statements(trust)
        if not found:
            yield Finding(role, "has no trust policy")
        for statement in found:
            principal = statement.get("Principal")
            services = listed(principal.get("Service")) if isinstance(principal, dict) else []
            if statement.get("Effect") != "Allow":
                continue
            if not (isinstance(principal, dict) and set(principal) == {"Service"} and len(services) == 1):
                yield Finding(role, f"trust policy admits {principal!r}, not exactly one AWS service")
            elif listed(statement.get("Action")) != ["sts:AssumeRole"]:
                yield Finding(role, f"trust policy allows {statement.get('Action')!r}, not sts:AssumeRole alone")


RULES = (
    Rule("iam-no-wildcard-actions", "Identity policies name every action they allow",
         why="a service wildcard such as s3:* grants deletes and policy changes nobody asked for",
         fix="list the actions the handler calls (see the handler package's permissions.py)",
         check=_wildcard_actions, fsbp=("IAM.1", "IAM.21")),
    Rule("iam-no-wildcard-resources", "Identity policies name their resources, except where AWS requires '*'",
         why="Resource '*' lets a function reach every table, queue or key of the account, not only its own",
         fix="name the resource's ARN; if AWS offers no resource-level permission for the action, add it to "
             "WILDCARD_RESOURCE_ACTIONS in policy/platform_policy/rules/iam.py with the reason",
         check=_wildcard_resources, fsbp=("KMS.2",)),
    Rule("iam-no-admin-rights", "No role gets administrator rights, inline or through a managed policy",
         why="a compromised function with admin rights owns the account",
         fix="grant named actions inline; attach an AWS-managed policy only if it is one of MANAGED_POLICIES",
         check=_admin, fsbp=("IAM.1",)),
    Rule("iam-trust-one-service", "Every role trusts exactly one AWS service, to assume it and nothing else",
         why="a trust policy naming accounts, users or several services lets others act as the role",
         fix="use components/iam.py assume_role_policy(\"<service>.amazonaws.com\"), with a source condition "
             "where the service supports one",
         check=_trust),
)
