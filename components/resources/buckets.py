"""Private S3 buckets, made one way: no public access, TLS only, encrypted, versioned, protected in prod.

Dead letters, stream archives and load-balancer logs all hold data someone will need later, so
none of them is created without these; the only choice is the encryption (load-balancer access
logs accept only S3-managed keys).
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Literal

import pulumi
import pulumi_aws as aws

from components import iam

if TYPE_CHECKING:
    from components.core import PlatformCore


_POLICIES: "weakref.WeakKeyDictionary[aws.s3.Bucket, aws.s3.BucketPolicy]" = weakref.WeakKeyDictionary()


def policy_of(bucket: aws.s3.Bucket) -> aws.s3.BucketPolicy:
    """The bucket's policy, for writers that AWS checks it for at creation (CloudTrail, for one)."""
    return _POLICIES[bucket]


def bucket_name(core: PlatformCore, service: str, part: str) -> str:
    """Bucket names are global; the account id keeps two accounts' stacks from colliding."""
    return core.namer.physical(service, f"{part}-{core.account.account_id}", "s3_bucket")


def deny_insecure_transport_statement(bucket_arn: str) -> dict:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def deny_insecure_transport(bucket_arn: str) -> str:
    return iam.document([deny_insecure_transport_statement(bucket_arn)])


def private_bucket(logical_name: str, name: str, core: PlatformCore, service: str, parent: pulumi.Resource, *,
                   encryption: Literal["kms", "s3"] = "kms", expire_days: int | None = None,
                   extra_policy: list[dict] | None = None,
                   kms_key_arn: pulumi.Input[str] | None = None) -> aws.s3.Bucket:
    """`kms_key_arn` None: the stack key; auditing passes a key of its own."""
    protect = core.settings.protection.deletion_protection
    child = pulumi.ResourceOptions(parent=parent)
    bucket = aws.s3.Bucket(logical_name, bucket=name, force_destroy=not protect, tags=core.tags_for(service),
                           opts=pulumi.ResourceOptions(parent=parent, protect=protect))
    aws.s3.BucketPublicAccessBlock(f"{logical_name}-private", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
                                   opts=child)
    by_default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
        sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn or core.key.arn) if encryption == "kms" else \
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="AES256")
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{logical_name}-encryption", bucket=bucket.id,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=by_default, bucket_key_enabled=encryption == "kms")], opts=child)
    aws.s3.BucketVersioning(f"{logical_name}-versioning", bucket=bucket.id,
                            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                                status="Enabled"), opts=child)
    if expire_days is not None:
        aws.s3.BucketLifecycleConfiguration(
            f"{logical_name}-expiry", bucket=bucket.id,
            rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire", status="Enabled", filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_days),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=expire_days))], opts=child)

    _POLICIES[bucket] = aws.s3.BucketPolicy(
        f"{logical_name}-tls", bucket=bucket.id, opts=child, policy=bucket.arn.apply(
            lambda arn: iam.document([deny_insecure_transport_statement(arn), *(extra_policy or [])])))
    return bucket
