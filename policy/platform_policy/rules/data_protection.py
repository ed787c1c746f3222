"""Production data survives: point-in-time recovery, deletion protection, versions, protected state,
and a replacement that can never delete data first."""
from __future__ import annotations

from typing import Iterable

from ..lifecycles import LIFECYCLES, Lifecycle, expected_delete_before_replace
from ..model import Finding, Resource, Rule, Stack, is_unknown
from .common import each, is_true
from .encryption import BUCKET_TYPES, buckets_with
from .resource_types import DOMAIN, TABLE, VERSIONING

#: The input that carries the physical name, for the types whose name is not `name`.
NAME_INPUTS = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket",
               "aws:opensearch/domain:Domain": "domainName", "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
               "aws:cloudwatch/compositeAlarm:CompositeAlarm": "alarmName",
               "aws:xray/samplingRule:SamplingRule": "ruleName", "aws:xray/group:Group": "groupName",
               "aws:lambda/layerVersion:LayerVersion": "layerName",
               "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyName"}
#: Named types whose name AWS generates when none is given, and nothing else identifies them.
UNNAMED_BY_DESIGN = {"aws:kms/key:Key": "KMS keys have no name; the stack's alias names each one"}
#: Types AWS names only by a `Name` tag (EC2): their physical name is that tag.
NAME_TAGGED = frozenset({"aws:ec2/vpc:Vpc"})


def _pitr(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(TABLE), lambda t: None if is_true(t.get("pointInTimeRecovery", "enabled"))
                else "point-in-time recovery is off")


def _deletion_protection(stack: Stack) -> Iterable[Finding]:
    return each(stack.of_type(TABLE), lambda t: None if is_true(t.get("deletionProtectionEnabled"))
                else "deletion protection is off")


def _versioning(stack: Stack) -> Iterable[Finding]:
    versioned = buckets_with(stack, (VERSIONING,))

    def problem(bucket: Resource) -> str | None:
        name = bucket.get("bucket")
        if is_unknown(name):
            return None
        if any(v.get("versioningConfiguration", "status") == "Enabled" for v in versioned.get(name, [])):
            return None
        return "versioning is not enabled"
    return each(stack.of_type(*BUCKET_TYPES), problem)


def _three_data_nodes(stack: Stack) -> Iterable[Finding]:
    def problem(domain: Resource) -> str | None:
        count = domain.get("clusterConfig", "instanceCount")
        if is_unknown(count) or (isinstance(count, (int, float)) and count >= 3):
            return None
        return f"{count} data node(s): one lost node loses shards or availability"
    return each(stack.of_type(DOMAIN), problem)


def _protected(stack: Stack) -> Iterable[Finding]:
    for resource in stack:
        if LIFECYCLES.get(resource.type) is not Lifecycle.STATEFUL:
            continue
        if not resource.options.protect:
            yield Finding(resource, "holds data but is not protected (pulumi destroy or a replacement would delete it)")
        if resource.type in BUCKET_TYPES and resource.get("forceDestroy") is True:
            yield Finding(resource, "force_destroy would empty the bucket on delete")


def _replacement(stack: Stack) -> Iterable[Finding]:
    for resource in stack:
        if not resource.type.startswith("aws:"):
            continue
        lifecycle = LIFECYCLES.get(resource.type)
        if lifecycle is None:
            yield Finding(resource, "its type has no replacement rule in policy/platform_policy/lifecycles.py")
            continue
        expected = expected_delete_before_replace(lifecycle)
        actual = resource.options.delete_before_replace
        if actual != expected:
            yield Finding(resource, f"{lifecycle.value} resource registered with delete_before_replace={actual}, "
                                    f"expected {expected}")


def _named(stack: Stack) -> Iterable[Finding]:
    for resource in stack:
        if LIFECYCLES.get(resource.type) not in (Lifecycle.STATEFUL, Lifecycle.NAMED) or \
                resource.type in UNNAMED_BY_DESIGN:
            continue
        name = resource.get("tags", "Name") if resource.type in NAME_TAGGED else \
            resource.get(NAME_INPUTS.get(resource.type, "name"))
        if not is_unknown(name) and not (isinstance(name, str) and name):
            yield Finding(resource, "has no explicit physical name")


RULES = (
    Rule("dynamodb-point-in-time-recovery", "Tables have point-in-time recovery",
         why="a bad deploy or a bug that overwrites items can be undone to the second, for 35 days",
         fix="set pointInTimeRecovery: true for the stack", check=_pitr, fsbp=("DynamoDB.2",)),
    Rule("dynamodb-deletion-protection", "Tables have deletion protection",
         why="DynamoDB refuses to delete a protected table, whoever asks",
         fix="set deletionProtection: true for the stack", check=_deletion_protection),
    Rule("s3-versioning", "Buckets keep object versions",
         why="an overwritten or deleted dead letter, archive or audit file can be recovered",
         fix="add a BucketVersioning with status Enabled (private_bucket() does)", check=_versioning),
    Rule("opensearch-three-data-nodes", "The OpenSearch domain has at least three data nodes",
         why="with fewer, losing one node loses a replica or the cluster's availability",
         fix="set opensearchInstanceCount to 3 or more (a multiple of the availability zones)",
         check=_three_data_nodes, fsbp=("Opensearch.6",)),
    Rule("stateful-resources-protected", "Every resource that holds data is protected, and no bucket force-destroys",
         why="protect makes `pulumi destroy` and any replacement refuse until someone removes it on purpose",
         fix="set deletionProtection: true for the stack (components/lifecycle.py then protects every stateful "
             "resource) and never set force_destroy in such a stack",
         check=_protected, fsbp=("KMS.3",)),
    Rule("replacement-never-deletes-data-first",
         "Each resource is registered with its type's delete-before-replace rule",
         why="with explicit names, a replacement either collides on the name or, deleted first, loses the data",
         fix="register the type in policy/platform_policy/lifecycles.py; create resources under Platform, whose "
             "stack transformation applies the rule",
         check=_replacement),
    Rule("explicit-physical-names", "Every named resource has an explicit, deterministic physical name",
         why="dashboards, alarms and log-group names are generated before deploy from the names",
         fix="name it with core.namer (components/naming.py)", check=_named),
)
