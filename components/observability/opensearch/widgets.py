"""Dashboard widgets for an OpenSearch Service domain (1-minute metrics)."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.dashboard.widgets import HorizontalAnnotation, Widget, metric_widget
from components.observability.opensearch.alarms import NAMESPACE, free_storage_threshold_mib, opensearch_dimensions
from components.observability.refs import OpenSearchRef

PERIOD = 60


def opensearch_widgets(domain: OpenSearchRef, region: str, period: int = PERIOD) -> list[Widget]:
    """Cluster status, free storage, JVM pressure, CPU, indexing rate/latency, search rate/latency."""
    dims = opensearch_dimensions(domain)
    name = domain.domain_name

    q = ResourceMetrics(NAMESPACE, dims, period).query

    percent_axis = {"left": {"min": 0, "max": 100}}
    return [
        metric_widget(f"{name}: cluster status",
                      [q("red", "ClusterStatus.red", "Maximum", "red"), q("yellow", "ClusterStatus.yellow", "Maximum", "yellow")],
                      region, stat="Maximum", period=period, width=6),
        metric_widget(f"{name}: free storage (min node, MiB)", [q("free", "FreeStorageSpace", "Minimum", "FreeStorageSpace")],
                      region, stat="Minimum", period=period, width=6,
                      annotations=[HorizontalAnnotation("25% of volume", free_storage_threshold_mib(domain.volume_size_gb), "#d62728")]),
        metric_widget(f"{name}: JVM memory pressure",
                      [q("jvm", "JVMMemoryPressure", "Maximum", "JVM"), q("old_gen", "OldGenJVMMemoryPressure", "Maximum", "Old gen")],
                      region, stat="Maximum", period=period, width=6, y_axis=percent_axis,
                      annotations=[HorizontalAnnotation("95%", 95, "#d62728")]),
        metric_widget(f"{name}: CPU", [q("cpu", "CPUUtilization", "Maximum", "CPU max")], region, stat="Maximum",
                      period=period, width=6, y_axis=percent_axis, annotations=[HorizontalAnnotation("80%", 80, "#ff7f0e")]),
        metric_widget(f"{name}: indexing", [q("indexing_rate", "IndexingRate", "Average", "IndexingRate"),
                                            q("indexing_latency", "IndexingLatency", "Average", "IndexingLatency (ms)")],
                      region, stat="Average", period=period, width=8),
        metric_widget(f"{name}: search", [q("search_rate", "SearchRate", "Average", "SearchRate"),
                                          q("search_latency", "SearchLatency", "Average", "SearchLatency (ms)")],
                      region, stat="Average", period=period, width=8),
        metric_widget(f"{name}: thread pool queues", [q("write_queue", "ThreadpoolWriteQueue", "Average", "write queue"),
                                                     q("search_queue", "ThreadpoolSearchQueue", "Average", "search queue"),
                                                     q("write_rejected", "ThreadpoolWriteRejected", "Sum", "write rejected")],
                      region, stat="Average", period=period, width=8),
    ]
