"""The AWS-recommended alarms for an OpenSearch Service domain.

Source: "Recommended CloudWatch alarms for Amazon OpenSearch Service" (AWS docs).
Namespace AWS/ES, dimensions DomainName + ClientId (the account id). Thresholds,
statistics, periods and datapoints follow that page rather than the stack
profile, because they describe the cluster's own limits, not the app's traffic:

| alarm | condition | severity |
| --- | --- | --- |
| ClusterStatus.red | Maximum >= 1, 1 min, 1 of 1 | critical |
| ClusterStatus.yellow | Maximum >= 1, 1 min, 5 of 5 | warning |
| FreeStorageSpace | Minimum <= 25% of a node's volume (MiB), 1 min, 1 of 1 | critical |
| ClusterIndexWritesBlocked | Maximum >= 1, 5 min, 1 of 1 | critical |
| Nodes | Minimum < data + master nodes, 1 day, 1 of 1 | critical |
| AutomatedSnapshotFailure | Maximum >= 1, 1 min, 1 of 1 | critical |
| CPUUtilization | Maximum >= 80%, 15 min, 3 of 3 | warning |
| JVMMemoryPressure | Maximum >= 95%, 1 min, 3 of 3 | critical |
| OldGenJVMMemoryPressure | Maximum >= 80%, 1 min, 3 of 3 | warning |
| MasterReachableFromNode | Maximum < 1, 1 day, 1 of 1 | critical (dedicated masters) |
| MasterCPUUtilization | Maximum >= 50%, 15 min, 3 of 3 | warning (dedicated masters) |
| MasterJVMMemoryPressure | Maximum >= 95%, 1 min, 1 of 1 | critical (dedicated masters) |
| MasterOldGenJVMMemoryPressure | Maximum >= 80%, 1 min, 1 of 1 | warning (dedicated masters) |
| KMSKeyError / KMSKeyInaccessible | Maximum >= 1, 1 min, 1 of 1 | critical (KMS encryption) |
| ThreadpoolWriteQueue | Average >= 100, 1 min, 1 of 1 | warning |
| ThreadpoolSearchQueue | Average >= 500, 1 min, 1 of 1 | warning |
"""

from __future__ import annotations

from dataclasses import dataclass

from components.observability._factory import GTE, LT, LTE, MISSING, NOT_BREACHING, alarm_key, fmt, metric
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import OpenSearchRef

NAMESPACE = "AWS/ES"
FREE_STORAGE_FRACTION = 0.25
_MINUTE = 60
_DAY = 86_400


@dataclass(frozen=True)
class _Recommended:
    metric_name: str
    key: str
    stat: str
    comparison: str
    threshold: float
    period: int
    periods: int
    severity: Severity
    meaning: str
    check_first: str
    missing: str = MISSING


def opensearch_dimensions(domain: OpenSearchRef) -> dict[str, str]:
    return {"DomainName": domain.domain_name, "ClientId": domain.account_id}


def free_storage_threshold_mib(volume_size_gb: int) -> float:
    """25% of one data node's EBS volume, in MiB (FreeStorageSpace is reported in MiB per node)."""
    return volume_size_gb * 1024 * FREE_STORAGE_FRACTION


def _recommended(domain: OpenSearchRef) -> list[_Recommended]:
    free_mib = free_storage_threshold_mib(domain.volume_size_gb)
    rows = [
        _Recommended("ClusterStatus.red", "cluster-red", "Maximum", GTE, 1, _MINUTE, 1, Severity.CRITICAL,
                     "At least one primary shard and its replicas are unassigned; searches on it fail and new "
                     "log documents for that index are rejected and dead-lettered.",
                     "GET _cluster/allocation/explain in OpenSearch Dashboards Dev Tools, then FreeStorageSpace "
                     "and JVMMemoryPressure."),
        _Recommended("ClusterStatus.yellow", "cluster-yellow", "Maximum", GTE, 1, _MINUTE, 5, Severity.WARNING,
                     "At least one replica shard is unassigned; a node loss now would lose data availability.",
                     "GET _cat/shards?v&h=index,shard,prirep,state,unassigned.reason; a single-node domain with "
                     "replicas > 0 is always yellow."),
        _Recommended("FreeStorageSpace", "free-storage", "Minimum", LTE, free_mib, _MINUTE, 1, Severity.CRITICAL,
                     f"A node is down to {fmt(free_mib)} MiB free (25% of its {domain.volume_size_gb} GiB volume); "
                     "at the flood-stage watermark indices become read-only.",
                     "index sizes with GET _cat/indices?v&s=store.size:desc and the ISM delete policy; "
                     "delete old log indices or grow the volumes."),
        _Recommended("ClusterIndexWritesBlocked", "writes-blocked", "Maximum", GTE, 1, 5 * _MINUTE, 1,
                     Severity.CRITICAL,
                     "The cluster is blocking writes (ClusterBlockException); the log shipper retries, then "
                     "dead-letters documents.",
                     "FreeStorageSpace and JVMMemoryPressure, then GET _cluster/settings for read_only blocks."),
        _Recommended("Nodes", "nodes", "Minimum", LT, domain.expected_nodes, _DAY, 1, Severity.CRITICAL,
                     f"Fewer than {domain.expected_nodes} nodes were reachable for a day.",
                     "the domain's Cluster health tab and AWS Health events for node replacement."),
        _Recommended("AutomatedSnapshotFailure", "snapshot-failure", "Maximum", GTE, 1, _MINUTE, 1,
                     Severity.CRITICAL,
                     "An automated snapshot failed, usually because the cluster is red.",
                     "cluster status, then GET _snapshot/cs-automated-enc/_all for the failure reason."),
        _Recommended("CPUUtilization", "cpu", "Maximum", GTE, 80, 15 * _MINUTE, 3, Severity.WARNING,
                     "Data node CPU stayed at or above 80%; indexing and search slow down and queues grow.",
                     "IndexingRate and SearchRate on the dashboard and the slow logs; scale up or out."),
        _Recommended("JVMMemoryPressure", "jvm-pressure", "Maximum", GTE, 95, _MINUTE, 3, Severity.CRITICAL,
                     "JVM heap use stayed at or above 95%; the cluster is close to out-of-memory errors.",
                     "shard count per node (GET _cat/allocation) and expensive aggregations; scale vertically."),
        _Recommended("OldGenJVMMemoryPressure", "old-gen-jvm-pressure", "Maximum", GTE, 80, _MINUTE, 3,
                     Severity.WARNING,
                     "Old-generation heap stayed at or above 80%; garbage collection cannot keep up.",
                     "field data and aggregation use, too many small shards; scale vertically."),
        _Recommended("ThreadpoolWriteQueue", "write-queue", "Average", GTE, 100, _MINUTE, 1, Severity.WARNING,
                     "The write thread pool queue is backing up; bulk requests from the shipper will be rejected.",
                     "ThreadpoolWriteRejected and the shipper's EventsRetried; scale out or batch less often."),
        _Recommended("ThreadpoolSearchQueue", "search-queue", "Average", GTE, 500, _MINUTE, 1, Severity.WARNING,
                     "The search thread pool queue is backing up; dashboards and queries will be rejected.",
                     "CPUUtilization and the search slow log for expensive queries."),
    ]
    if domain.dedicated_master:
        rows += [
            _Recommended("MasterReachableFromNode", "master-unreachable", "Maximum", LT, 1, _DAY, 1,
                         Severity.CRITICAL,
                         "The dedicated master node has been stopped or unreachable.",
                         "the domain's Cluster health tab; master failures are usually resolved by AWS, open a "
                         "support case if it persists.", missing=MISSING),
            _Recommended("MasterCPUUtilization", "master-cpu", "Maximum", GTE, 50, 15 * _MINUTE, 3,
                         Severity.WARNING,
                         "Dedicated master CPU stayed at or above 50%.",
                         "the number of indices and shards (cluster-state size); use larger master instances."),
            _Recommended("MasterJVMMemoryPressure", "master-jvm-pressure", "Maximum", GTE, 95, _MINUTE, 1,
                         Severity.CRITICAL,
                         "Dedicated master JVM heap reached 95%.",
                         "shard count and mapping size; use larger master instances."),
            _Recommended("MasterOldGenJVMMemoryPressure", "master-old-gen-jvm-pressure", "Maximum", GTE, 80,
                         _MINUTE, 1, Severity.WARNING,
                         "Dedicated master old-generation heap reached 80%.",
                         "shard count and mapping size; use larger master instances."),
        ]
    if domain.kms_encrypted:
        rows += [
            _Recommended("KMSKeyError", "kms-key-error", "Maximum", GTE, 1, _MINUTE, 1, Severity.CRITICAL,
                         "The KMS key that encrypts the domain is disabled.",
                         "the key state in KMS and recent CloudTrail events for DisableKey.",
                         missing=NOT_BREACHING),
            _Recommended("KMSKeyInaccessible", "kms-key-inaccessible", "Maximum", GTE, 1, _MINUTE, 1,
                         Severity.CRITICAL,
                         "The KMS key that encrypts the domain was deleted or its grants revoked.",
                         "the key and its grants in KMS and CloudTrail for ScheduleKeyDeletion or RevokeGrant.",
                         missing=NOT_BREACHING),
        ]
    return rows


def opensearch_alarms(domain: OpenSearchRef) -> list[AlarmSpec]:
    """The recommended alarm set, conditional on dedicated masters and KMS encryption."""
    dims = opensearch_dimensions(domain)
    return [
        AlarmSpec(
            key=alarm_key("opensearch", row.key, row.severity.value),
            severity=row.severity,
            summary=f"{domain.domain_name}: {row.metric_name} {row.stat} {_symbol(row.comparison)} {fmt(row.threshold)}",
            description=alarm_description(row.meaning, row.check_first),
            comparison=row.comparison,
            threshold=float(row.threshold),
            evaluation_periods=row.periods,
            datapoints_to_alarm=row.periods,
            treat_missing_data=row.missing,
            metric=metric(NAMESPACE, row.metric_name, dims, row.stat, row.period),
        )
        for row in _recommended(domain)
    ]


def _symbol(comparison: str) -> str:
    return {GTE: ">=", LTE: "<=", LT: "<"}[comparison]
