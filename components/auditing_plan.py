"""Pure planning for auditing: names, policies, the AWS Config rule and the events it raises.

The whitepaper's auditing (seed 002): CloudTrail records every API call; AWS Config rules detect
drift, such as an API that stops using HTTPS or logging, and notify through SNS. Everything here is
data, so the tests read the policies and the Guard rule without an engine.
"""
from __future__ import annotations

import json
from typing import Any

from components import iam
from components.naming import Namer

AUDIT_SERVICE = "audit"
TRAIL_PREFIX = "cloudtrail"
CONFIG_PREFIX = "config"
#: Resource types the Config rule evaluates, and all the recorder records (Config bills per item).
RECORDED_TYPES = ("AWS::ApiGateway::Stage", "AWS::ApiGateway::DomainName")
GUARD_RUNTIME = "guard-2.x.x"
#: AWS's read-only policy for a Config recorder role.
CONFIG_ROLE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"

#: An API Gateway stage is compliant when it logs every request and traces; a custom domain name when
#: it accepts TLS 1.2 or later only. API Gateway's own endpoints answer HTTPS only, so TLS drift can
#: happen only on a custom domain name's security policy.
API_STAGE_GUARD_RULE = """\
rule api_stage_logs_and_traces when resourceType == "AWS::ApiGateway::Stage" {
    configuration.accessLogSettings exists
    configuration.accessLogSettings.destinationArn exists
    configuration.accessLogSettings.destinationArn != ""
    configuration.tracingEnabled == true
}

rule api_domain_https_tls12 when resourceType == "AWS::ApiGateway::DomainName" {
    configuration.securityPolicy == "TLS_1_2"
}
"""


def trail_name(namer: Namer) -> str:
    return namer.stack_wide(AUDIT_SERVICE, "cloudtrail")


def trail_arn(ctx: iam.AccountContext, name: str) -> str:
    return ctx.arn("cloudtrail", f"trail/{name}")


def config_rule_name(namer: Namer) -> str:
    return namer.physical(AUDIT_SERVICE, "api-stage-https-logging", "config_rule")


def compliance_rule_name(namer: Namer) -> str:
    """The EventBridge rule that turns the Config rule's NON_COMPLIANT results into a Warning."""
    return namer.physical(AUDIT_SERVICE, "api-stage-noncompliant", "event_rule")


def compliance_rule_arn(ctx: iam.AccountContext, namer: Namer) -> str:
    """Config publishes compliance changes on the account's default bus."""
    return ctx.arn("events", f"rule/{compliance_rule_name(namer)}")


def compliance_event_pattern(config_rule: str) -> str:
    return json.dumps({
        "source": ["aws.config"],
        "detail-type": ["Config Rules Compliance Change"],
        "detail": {"configRuleName": [config_rule],
                   "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}},
    }, sort_keys=True)


#: What the Warning topic's recipients read; EventBridge fills in the <placeholders>.
NOTIFICATION_PATHS = {"rule": "$.detail.configRuleName", "resource": "$.detail.resourceId",
                      "type": "$.detail.resourceType", "account": "$.account", "region": "$.region"}
NOTIFICATION_TEMPLATE = ('"<type> <resource> in account <account> (<region>) is NON_COMPLIANT with AWS Config rule '
                         '<rule>: an API stage must log every request and trace, a custom domain must accept TLS 1.2 '
                         'or later only. Check first: the stage settings and the domain name security policy in '
                         'the API Gateway console, and who changed them in the CloudTrail event history."')


def bucket_statements(bucket_arn: str, trail: str) -> list[dict[str, Any]]:
    """CloudTrail may write this trail's files, and nothing else may write through it.

    Config delivers with its recorder's role, so it needs no statement here.
    """
    return [
        {"Sid": "CloudTrailReadsAcl", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
         "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
        {"Sid": "CloudTrailWritesTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/{TRAIL_PREFIX}/AWSLogs/*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]


def audit_key_policy(ctx: iam.AccountContext, trail: str) -> str:
    """A key of its own, so that whoever may use the application's data key cannot read the audit trail."""
    return iam.document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ctx.account_id}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudTrailEncryptsTrail", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                                      f"arn:aws:cloudtrail:*:{ctx.account_id}:trail/*"}}},
        {"Sid": "CloudTrailDescribesKey", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": trail}}},
    ])


def trail_logs_assume_role_policy(trail: str) -> str:
    return iam.document([{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                          "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceArn": trail}}}])


def trail_logs_role_policy(ctx: iam.AccountContext, log_group_name: str) -> str:
    return iam.document([{"Sid": "DeliverTrailEvents", "Effect": "Allow",
                          "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                          "Resource": f"{iam.log_group_arn(ctx, log_group_name)}:log-stream:*"}])


def recorder_assume_role_policy(ctx: iam.AccountContext) -> str:
    return iam.document([{"Effect": "Allow", "Principal": {"Service": "config.amazonaws.com"},
                          "Action": "sts:AssumeRole",
                          "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}}}])


def recorder_delivery_policy(ctx: iam.AccountContext, bucket_arn: str, key_arn: str) -> str:
    """Config delivers snapshots and history with the recorder's role: its prefix, encrypted with the audit key."""
    return iam.document([
        {"Sid": "DeliverConfigHistory", "Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": f"{bucket_arn}/{CONFIG_PREFIX}/AWSLogs/{ctx.account_id}/*",
         "Condition": {"StringLike": {"s3:x-amz-acl": "bucket-owner-full-control"}}},
        {"Sid": "CheckBucketAcl", "Effect": "Allow", "Action": ["s3:GetBucketAcl"], "Resource": bucket_arn},
        iam.use_key_via(ctx, key_arn, ["s3"], actions=("kms:GenerateDataKey", "kms:Decrypt")),
    ])


def object_event_selectors(bucket_prefix: str, audit_bucket: str) -> list[dict[str, Any]]:
    """Management events, and object-level events of the stack's own buckets except the audit bucket.

    Logging the audit bucket's objects would record CloudTrail's own deliveries, one more file per file.
    """
    return [
        {"name": "Management events", "field_selectors": [
            {"field": "eventCategory", "equals": ["Management"]}]},
        {"name": "Objects of the stack's buckets", "field_selectors": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            {"field": "resources.ARN", "starts_withs": [f"arn:aws:s3:::{bucket_prefix}"],
             "not_starts_withs": [f"arn:aws:s3:::{audit_bucket}/"]}]},
    ]
