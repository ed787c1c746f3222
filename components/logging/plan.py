"""Pure planning for centralized logging: domain shape, policies, names and delivery settings.

Kept apart from the component so the sizing rules (single node in dev, Multi-AZ with standby and
dedicated masters in prod) and the access policies can be read and tested without an engine.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from components import iam
from components.naming import Namer
from components.settings.model import OpenSearchProfile

LOGGING_SERVICE = "log-shipping"
OPENSEARCH_SERVICE = "opensearch"
#: TLS 1.2 minimum with perfect forward secrecy only.
TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"
#: The domain's own logs; they are excluded from shipping so a sick domain cannot feed on itself.
DOMAIN_LOG_TYPES = {"INDEX_SLOW_LOGS": "index-slow", "SEARCH_SLOW_LOGS": "search-slow",
                    "ES_APPLICATION_LOGS": "application", "AUDIT_LOGS": "audit"}
SUBSCRIPTION_FILTER_NAME = "ship-to-opensearch"


@dataclass(frozen=True)
class ClusterShape:
    instance_type: str
    instance_count: int
    dedicated_master_enabled: bool
    dedicated_master_count: int | None
    dedicated_master_type: str | None
    zone_awareness_enabled: bool
    availability_zone_count: int | None
    multi_az_with_standby_enabled: bool


def cluster_shape(profile: OpenSearchProfile) -> ClusterShape:
    masters = profile.dedicated_master_count
    return ClusterShape(
        instance_type=profile.instance_type,
        instance_count=profile.instance_count,
        dedicated_master_enabled=masters > 0,
        dedicated_master_count=masters or None,
        dedicated_master_type=profile.master_instance_type if masters else None,
        zone_awareness_enabled=profile.availability_zones > 1,
        availability_zone_count=profile.availability_zones if profile.availability_zones > 1 else None,
        multi_az_with_standby_enabled=profile.multi_az_with_standby,
    )


def domain_name(namer: Namer) -> str:
    """`<project>-<stack>-logs`; OpenSearch allows 28 characters, so long stacks are hashed down."""
    return namer.stack_wide("logs", "opensearch_domain")


def domain_arn(ctx: iam.AccountContext, name: str) -> str:
    return ctx.arn("es", f"domain/{name}")


def domain_access_policy(ctx: iam.AccountContext, name: str) -> str:
    """IAM lets this account's principals reach the domain; fine-grained access control then decides.

    An unmapped IAM role gets no permission inside the domain, so the roles that matter (the
    shipper, the bootstrap, named admins) are granted by role mapping, not by this policy. Keeping
    role ARNs out of the policy also keeps the domain independent of function roles.
    """
    return iam.document([{
        "Sid": "AccountPrincipalsThroughFineGrainedAccessControl", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ctx.account_id}:root"},
        "Action": ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut", "es:ESHttpDelete",
                   "es:ESHttpPatch"],
        "Resource": f"{domain_arn(ctx, name)}/*",
    }])


def domain_logs_resource_policy(ctx: iam.AccountContext, log_group_names: Sequence[str]) -> str:
    """OpenSearch writes its own logs only to the groups the stack created for it."""
    return iam.document([{
        "Sid": "OpenSearchPublishesDomainLogs", "Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"},
        "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
        "Resource": sorted(f"{iam.log_group_arn(ctx, name)}:*" for name in log_group_names),
        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
    }])


def http_statement(domain_arn_value: str, methods: Sequence[str], sid: str) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": [f"es:ESHttp{m}" for m in methods],
            "Resource": [domain_arn_value, f"{domain_arn_value}/*"]}


def dead_letter_bucket_name(namer: Namer, account_id: str) -> str:
    """Bucket names are global; the account id keeps two accounts' stacks from colliding."""
    return namer.physical(LOGGING_SERVICE, f"dead-letters-{account_id}", "s3_bucket")


def s3_dead_letter_statement(bucket_arn: str, actions: Sequence[str] = ("s3:PutObject",)) -> dict:
    return {"Sid": "DeadLetters", "Effect": "Allow", "Action": list(actions), "Resource": f"{bucket_arn}/*"}


def logs_to_kinesis_role_policy(ctx: iam.AccountContext, stream_arn: str, key_arn: str) -> str:
    """CloudWatch Logs writes to the encrypted stream, so it needs the stack key through Kinesis."""
    return iam.document([
        {"Sid": "PutLogRecords", "Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
         "Resource": stream_arn},
        iam.use_key_via(ctx, key_arn, ["kinesis"], actions=("kms:GenerateDataKey",)),
    ])


def logs_assume_role_policy(ctx: iam.AccountContext, log_group_prefix: str) -> str:
    """CloudWatch Logs may act for the stack's log groups only (confused-deputy guard)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringLike": {"aws:SourceArn": iam.log_group_arn(ctx, f"{log_group_prefix}*")}}}]},
        sort_keys=True)


def kinesis_read_statement(stream_arn: str) -> dict:
    """What a standard (polling) event source mapping needs on the stream. No
    ``kinesis:SubscribeToShard``: that applies to enhanced fan-out consumer ARNs only, and the
    mapping reads the stream itself, so on the stream ARN it would grant nothing."""
    return {"Sid": "ReadLogStream", "Effect": "Allow",
            "Action": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                       "kinesis:GetShardIterator", "kinesis:ListShards"],
            "Resource": stream_arn}


def queue_send_statement(queue_arn: str) -> dict:
    return {"Sid": "SendFailureRecords", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": queue_arn}


def index_patterns(namer: Namer) -> dict[str, str]:
    return {"logs": f"{namer.log_index_prefix()}-*", "traces": f"{namer.trace_index_prefix()}-*"}


def domain_console_url(region: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/aos/home?region={region}#opensearch/domains/{name}"
