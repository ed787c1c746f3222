"""Encryption at rest: every store of the platform is encrypted, with a key the stack owns.

A key of the stack (rather than an AWS-managed key) is what lets the key policy say which services
may decrypt, and lets CloudTrail show every use of it.
"""
from __future__ import annotations

from typing import Callable, Iterable

from ..model import Finding, Resource, Rule, Stack, is_unknown
from .common import each, is_true, uses_stack_key
from .resource_types import BLOCK_TYPE, DOMAIN, FIREHOSE, KMS_KEY, LOG_GROUP, QUEUE, STREAM, TABLE, TOPIC

BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
SSE_CONFIG_TYPES = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
NOT_STACK_KEY = "is not encrypted with a KMS key of this stack"


def _tables(stack: Stack) -> Iterable[Finding]:
    def problem(table: Resource) -> str | None:
        sse = table.get("serverSideEncryption")
        if is_unknown(sse):
            return None
        if not table.get("serverSideEncryption", "enabled") is True:
            return "server-side encryption with a customer managed key is off (AWS-owned key)"
        if not uses_stack_key(stack, table.get("serverSideEncryption", "kmsKeyArn")):
            return NOT_STACK_KEY
        return None
    return each(stack.of_type(TABLE), problem)


def _key_property(type_: str, *path: str) -> Callable[[Stack], Iterable[Finding]]:
    def check(stack: Stack) -> Iterable[Finding]:
        return each(stack.of_type(type_),
                    lambda r: None if uses_stack_key(stack, r.get(*path)) else NOT_STACK_KEY)
    return check


def _streams(stack: Stack) -> Iterable[Finding]:
    def problem(stream: Resource) -> str | None:
        if not (stream.get("encryptionType") == "KMS" or is_unknown(stream.get("encryptionType"))):
            return "encryptionType is not KMS"
        return None if uses_stack_key(stack, stream.get("kmsKeyId")) else NOT_STACK_KEY
    return each(stack.of_type(STREAM), problem)


def _firehoses(stack: Stack) -> Iterable[Finding]:
    """A Kinesis-fed delivery stream holds records encrypted by its source; its S3 output needs the key."""
    def problem(delivery: Resource) -> str | None:
        if delivery.get("kinesisSourceConfiguration") is None and not is_true(
                delivery.get("serverSideEncryption", "enabled")):
            return "a direct-put delivery stream without server-side encryption"
        destination = delivery.get("extendedS3Configuration")
        if destination is not None and not uses_stack_key(stack, delivery.get("extendedS3Configuration", "kmsKeyArn")):
            return "its S3 output " + NOT_STACK_KEY
        return None
    return each(stack.of_type(FIREHOSE), problem)


def _domains(stack: Stack) -> Iterable[Finding]:
    def problem(domain: Resource) -> str | None:
        if not is_true(domain.get("encryptAtRest", "enabled")):
            return "encryption at rest is off"
        return None if uses_stack_key(stack, domain.get("encryptAtRest", "kmsKeyId")) else NOT_STACK_KEY
    return each(stack.of_type(DOMAIN), problem)


def _other_stores(stack: Stack) -> Iterable[Finding]:
    checks = {"aws:secretsmanager/secret:Secret": ("kmsKeyId",),
              "aws:sfn/stateMachine:StateMachine": ("encryptionConfiguration", "kmsKeyId"),
              "aws:cloudwatch/eventBus:EventBus": ("kmsKeyIdentifier",),
              "aws:scheduler/schedule:Schedule": ("kmsKeyArn",)}
    for type_, path in checks.items():
        yield from each(stack.of_type(type_), lambda r, p=path: None if uses_stack_key(stack, r.get(*p))
                        else NOT_STACK_KEY)


def buckets_with(stack: Stack, types: tuple[str, ...]) -> dict[str, list[Resource]]:
    """Bucket name -> the per-bucket settings resources of these types that name it."""
    found: dict[str, list[Resource]] = {}
    for setting in stack.of_type(*types):
        bucket = setting.get("bucket")
        if isinstance(bucket, str):
            found.setdefault(bucket, []).append(setting)
    return found


def _load_balancer_log_buckets(stack: Stack) -> set[str]:
    """Buckets load balancers write access logs to: Elastic Load Balancing accepts only S3-managed keys
    there (SSE-S3), so for them SSE-S3 is the strongest encryption AWS allows."""
    return {str(lb.get("accessLogs", "bucket")) for lb in stack.of_type("aws:lb/loadBalancer:LoadBalancer")
            if lb.get("accessLogs", "enabled")}


def _bucket_encryption(stack: Stack) -> Iterable[Finding]:
    configs = buckets_with(stack, SSE_CONFIG_TYPES)
    load_balancer_logs = _load_balancer_log_buckets(stack)

    def problem(bucket: Resource) -> str | None:
        name = bucket.get("bucket")
        if is_unknown(name):
            return None
        for config in configs.get(name, []):
            for rule in config.get("rules") or []:
                default = rule.get("applyServerSideEncryptionByDefault") or {}
                if default.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and \
                        uses_stack_key(stack, default.get("kmsMasterKeyId")):
                    return None
                if name in load_balancer_logs and default.get("sseAlgorithm") == "AES256":
                    return None
        if name in load_balancer_logs:
            return "holds load balancer access logs without default SSE-S3 encryption (the only kind ELB accepts)"
        return "has no default encryption with a KMS key of this stack"
    return each(stack.of_type(*BUCKET_TYPES), problem)


def _bucket_public_access(stack: Stack) -> Iterable[Finding]:
    blocks = buckets_with(stack, (BLOCK_TYPE,))
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

    def problem(bucket: Resource) -> str | None:
        name = bucket.get("bucket")
        if is_unknown(name):
            return None
        for block in blocks.get(name, []):
            missing = [s for s in settings if not is_true(block.get(s))]
            if not missing:
                return None
            return f"public access block leaves {', '.join(missing)} off"
        return "has no public access block"
    return each(stack.of_type(*BUCKET_TYPES), problem)


def _key_rotation(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(KMS_KEY), lambda key: None if is_true(key.get("enableKeyRotation"))
                else "automatic key rotation is off")


RULES = (
    Rule("dynamodb-encrypted-with-stack-key", "DynamoDB tables are encrypted with a KMS key of the stack",
         why="an AWS-owned key cannot be restricted by a key policy nor audited in CloudTrail",
         fix="set server_side_encryption=TableServerSideEncryptionArgs(enabled=True, kms_key_arn=core.key.arn) "
             "(components/resources/tables.py does)",
         check=_tables, awsguard=("dynamodb-table-encryption-enabled",)),
    Rule("sqs-encrypted-with-stack-key", "SQS queues are encrypted with a KMS key of the stack",
         why="messages carry orders and payment events at rest for up to 14 days",
         fix="create queues through components/resources/queues.py (kms_master_key_id=core.key.arn)",
         check=_key_property(QUEUE, "kmsMasterKeyId"), fsbp=("SQS.1",)),
    Rule("sns-encrypted-with-stack-key", "SNS topics are encrypted with a KMS key of the stack",
         why="topics hold messages until every subscriber has them",
         fix="set kms_master_key_id=core.key.arn on the topic", check=_key_property(TOPIC, "kmsMasterKeyId"),
         fsbp=("SNS.1",)),
    Rule("s3-encrypted-with-stack-key", "S3 buckets encrypt every object with a KMS key of the stack",
         why="dead letters, archives and audit logs hold whole records",
         fix="create buckets with components/resources/buckets.py private_bucket()",
         check=_bucket_encryption, fsbp=("S3.4",)),
    Rule("s3-block-public-access", "S3 buckets block every kind of public access",
         why="a bucket policy or ACL mistake must never publish records to the internet",
         fix="add an aws.s3.BucketPublicAccessBlock with all four settings true (private_bucket() does)",
         check=_bucket_public_access, fsbp=("S3.8",)),
    Rule("kinesis-encrypted-with-stack-key", "Kinesis streams are encrypted with a KMS key of the stack",
         why="records stay on the stream for up to its retention, readable by anyone who can read the shard",
         fix='set encryption_type="KMS" and kms_key_id=core.key.arn', check=_streams, fsbp=("Kinesis.1",)),
    Rule("firehose-encrypted-with-stack-key", "Firehose delivery streams encrypt what they write",
         why="the archive is the event-sourcing copy of every record",
         fix="set extended_s3_configuration.kms_key_arn=core.key.arn (and server-side encryption for direct put)",
         check=_firehoses),
    Rule("opensearch-encrypted-at-rest", "The OpenSearch domain is encrypted at rest with a KMS key of the stack",
         why="every log line and span of the stack is indexed there",
         fix="set encrypt_at_rest=DomainEncryptAtRestArgs(enabled=True, kms_key_id=core.key.arn)",
         check=_domains, fsbp=("Opensearch.1",), awsguard=("elasticsearch-encrypted-at-rest",)),
    Rule("log-groups-encrypted-with-stack-key", "CloudWatch log groups are encrypted with the stack key",
         why="logs carry request data; the key policy limits which log groups may use the key",
         fix="set kms_key_id=core.key.arn on the log group", check=_key_property(LOG_GROUP, "kmsKeyId")),
    Rule("stores-encrypted-with-stack-key",
         "Secrets, workflow executions, event buses and schedules are encrypted with a KMS key of the stack",
         why="secret values, execution data and event payloads are data at rest too",
         fix="set the resource's KMS key argument to core.key.arn", check=_other_stores),
    Rule("kms-key-rotation", "KMS keys of the stack rotate automatically",
         why="a rotated key limits how much data one compromised key version exposes",
         fix="set enable_key_rotation=True", check=_key_rotation, awsguard=("cmk-backing-key-rotation-enabled",)),
)
