from __future__ import annotations

import dataclasses

from components.observability.model import Severity
from components.observability.opensearch.alarms import free_storage_threshold_mib, opensearch_alarms


def _by_metric(specs):
    return {s.metric.metric_name: s for s in specs}


BASE = {
    "ClusterStatus.red", "ClusterStatus.yellow", "FreeStorageSpace", "ClusterIndexWritesBlocked", "Nodes",
    "AutomatedSnapshotFailure", "CPUUtilization", "JVMMemoryPressure", "OldGenJVMMemoryPressure",
    "ThreadpoolWriteQueue", "ThreadpoolSearchQueue",
}
MASTER = {"MasterReachableFromNode", "MasterCPUUtilization", "MasterJVMMemoryPressure", "MasterOldGenJVMMemoryPressure"}
KMS = {"KMSKeyError", "KMSKeyInaccessible"}


def test_full_set_with_dedicated_masters_and_kms(domain) -> None:
    assert set(_by_metric(opensearch_alarms(domain))) == BASE | MASTER | KMS


def test_master_alarms_only_with_dedicated_masters(domain) -> None:
    names = set(_by_metric(opensearch_alarms(dataclasses.replace(domain, dedicated_master=False))))
    assert names == BASE | KMS


def test_kms_alarms_only_when_encrypted_with_kms(domain) -> None:
    names = set(_by_metric(opensearch_alarms(dataclasses.replace(domain, kms_encrypted=False))))
    assert names == BASE | MASTER


def test_dimensions_and_namespace(domain) -> None:
    for spec in opensearch_alarms(domain):
        assert spec.metric.namespace == "AWS/ES"
        assert spec.metric.dimensions == (("DomainName", "platform-prod-logs"), ("ClientId", "123456789012"))


def test_recommended_conditions(domain) -> None:
    specs = _by_metric(opensearch_alarms(domain))
    red = specs["ClusterStatus.red"]
    assert (red.severity, red.metric.stat, red.comparison, red.threshold, red.metric.period, red.evaluation_periods) == (
        Severity.CRITICAL, "Maximum", "GreaterThanOrEqualToThreshold", 1.0, 60, 1)
    yellow = specs["ClusterStatus.yellow"]
    assert (yellow.severity, yellow.evaluation_periods, yellow.datapoints_to_alarm) == (Severity.WARNING, 5, 5)
    assert specs["ClusterIndexWritesBlocked"].metric.period == 300
    cpu = specs["CPUUtilization"]
    assert (cpu.threshold, cpu.metric.period, cpu.evaluation_periods) == (80.0, 900, 3)
    assert specs["JVMMemoryPressure"].threshold == 95.0
    assert specs["MasterCPUUtilization"].threshold == 50.0
    master = specs["MasterReachableFromNode"]
    assert (master.comparison, master.threshold, master.metric.period) == ("LessThanThreshold", 1.0, 86_400)
    assert specs["KMSKeyError"].treat_missing_data == "notBreaching"


def test_free_storage_is_25_percent_of_node_volume_in_mib(domain) -> None:
    assert free_storage_threshold_mib(100) == 25_600
    spec = _by_metric(opensearch_alarms(domain))["FreeStorageSpace"]
    assert (spec.metric.stat, spec.comparison, spec.threshold) == ("Minimum", "LessThanOrEqualToThreshold", 25_600.0)


def test_nodes_alarm_counts_dedicated_masters(domain) -> None:
    assert _by_metric(opensearch_alarms(domain))["Nodes"].threshold == 6.0
    no_master = dataclasses.replace(domain, dedicated_master=False)
    nodes = _by_metric(opensearch_alarms(no_master))["Nodes"]
    assert (nodes.threshold, nodes.comparison, nodes.metric.stat, nodes.metric.period) == (3.0, "LessThanThreshold", "Minimum", 86_400)
