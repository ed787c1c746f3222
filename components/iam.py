"""IAM and KMS policy documents as plain data.

Each function gets its own role with only the actions and resources it uses; keeping the documents
pure lets the tests read them without a Pulumi engine. Wildcard resources appear only where AWS
offers nothing narrower, and each one says so.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

Statement = dict[str, Any]


@dataclass(frozen=True)
class AccountContext:
    """Where the stack runs; the partition is fixed to `aws` (commercial regions)."""

    account_id: str
    region: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:aws:{service}:{region}:{self.account_id}:{resource}"


def document(statements: Iterable[Statement]) -> str:
    """Serialises deterministically so previews and diffs are stable."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role_policy(service: str) -> str:
    return document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def log_group_arn(ctx: AccountContext, log_group_name: str) -> str:
    return ctx.arn("logs", f"log-group:{log_group_name}")


def write_logs(ctx: AccountContext, log_group_names: Sequence[str]) -> Statement:
    """Functions write only to their own, pre-created log group; they may not create others."""
    return {
        "Sid": "WriteOwnLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": sorted(f"{log_group_arn(ctx, name)}:*" for name in log_group_names),
    }


def write_traces() -> Statement:
    # X-Ray's write and sampling APIs support no resource-level permissions, so "*" is required.
    return {
        "Sid": "WriteTraces",
        "Effect": "Allow",
        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                   "xray:GetSamplingTargets"],
        "Resource": "*",
    }


def use_key_via(ctx: AccountContext, key_arn: str, services: Sequence[str],
                actions: Sequence[str] = ("kms:Decrypt", "kms:GenerateDataKey")) -> Statement:
    """The stack key may be used only through the services that hold the function's data."""
    return {
        "Sid": "UseStackKeyVia" + "".join(s.capitalize() for s in services),
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": sorted(f"{s}.{ctx.region}.amazonaws.com" for s in services)}},
    }


DYNAMODB_CRUD = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                 "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem")


def dynamodb_access(table_arn: str, actions: Sequence[str] = DYNAMODB_CRUD) -> Statement:
    return {"Sid": "UseOwnTable", "Effect": "Allow", "Action": list(actions),
            "Resource": [table_arn, f"{table_arn}/index/*"]}


def stack_key_policy(ctx: AccountContext, project: str, stack: str) -> str:
    """Lets CloudWatch Logs, CloudWatch alarms (publishing to encrypted topics) and SNS use the key.

    The account root keeps administration so the key can never become unmanageable; service
    principals are narrowed by source account and, for Logs, by the log-group ARNs of this stack.
    """
    account = ctx.account_id
    return document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchLogsEncrypts", "Effect": "Allow",
         "Principal": {"Service": f"logs.{ctx.region}.amazonaws.com"},
         "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
         "Resource": "*",
         "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                   ctx.arn("logs", f"log-group:/{project}/{stack}/*")}}},
        {"Sid": "AlarmsPublishToEncryptedTopics", "Effect": "Allow",
         "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
        {"Sid": "SnsDeliversEncryptedMessages", "Effect": "Allow",
         "Principal": {"Service": "sns.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
        # EventBridge also describes the key of an encrypted bus; Scheduler encrypts schedule payloads.
        {"Sid": "EventSourcesUseEncryptedTargets", "Effect": "Allow",
         "Principal": {"Service": ["events.amazonaws.com", "lambda.amazonaws.com", "scheduler.amazonaws.com"]},
         "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ])


def topic_policy(ctx: AccountContext, topic_arn: str, event_rule_arns: Sequence[str] = ()) -> str:
    """Only CloudWatch alarms of this account may publish alarm notifications, and the named
    EventBridge rules (auditing's compliance notifications), each by its own ARN."""
    statements = [{
        "Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish", "Resource": topic_arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
    }]
    if event_rule_arns:
        statements.append({
            "Sid": "EventRulesPublish", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sns:Publish", "Resource": topic_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sorted(event_rule_arns)}}})
    return document(statements)
