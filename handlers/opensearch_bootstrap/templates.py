"""Pure builders for everything the bootstrap applies: index templates, ISM policies, the
writer role and its mapping. Their bodies are compared with what the cluster already has, so
re-running reports "unchanged" instead of rewriting.

The log mapping covers exactly the fields the shipper writes (handlers/log_shipper/documents.py;
a test walks real shipper output against it) and is not dynamic, so a stray field can never
grow the mapping; free-form parsed keys live in ``fields``, a ``flat_object``.
The span mapping follows the Data Prepper ``otel-v1-apm-span`` shape Trace Analytics reads.
"""
from __future__ import annotations

from typing import Any

from handlers.opensearch_bootstrap.inputs import BootstrapInput

TEMPLATE_PRIORITY = 200  # above Data Prepper's stock otel-v1-apm-span template, should one exist
ISM_PRIORITY = 100

KEYWORD = {"type": "keyword"}
DOUBLE = {"type": "double"}
INTEGER = {"type": "integer"}
DATE_NANOS = {"type": "date_nanos"}

LAMBDA_PLATFORM_PROPERTIES: dict[str, Any] = {
    "type": KEYWORD, "request_id": KEYWORD, "version": KEYWORD, "status": KEYWORD, "error_type": KEYWORD,
    "duration_ms": DOUBLE, "billed_duration_ms": DOUBLE, "init_duration_ms": DOUBLE, "restore_duration_ms": DOUBLE,
    "memory_size_mb": INTEGER, "max_memory_used_mb": INTEGER,
    "xray_trace_id": KEYWORD, "xray_segment_id": KEYWORD, "xray_sampled": {"type": "boolean"},
    "runtime_version": KEYWORD, "runtime_version_arn": KEYWORD,
}

LOG_PROPERTIES: dict[str, Any] = {
    "@timestamp": {"type": "date", "format": "strict_date_optional_time||epoch_millis"},
    "event_id": KEYWORD,
    "log_group": KEYWORD,
    "log_stream": KEYWORD,
    "owner": KEYWORD,
    "service": KEYWORD,
    "environment": KEYWORD,
    "message": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 256}}},
    "level": KEYWORD,
    "trace_id": KEYWORD,
    "span_id": KEYWORD,
    "xray_trace_id": KEYWORD,
    "request_id": KEYWORD,
    "logger": KEYWORD,
    "exception_type": KEYWORD,
    "exception": {"type": "text"},
    "lambda": {"properties": LAMBDA_PLATFORM_PROPERTIES},
    "fields": {"type": "flat_object"},
}

_ATTRIBUTES_AS_OBJECT = {"type": "object", "dynamic": False}
SPAN_PROPERTIES: dict[str, Any] = {
    "traceId": {"type": "keyword", "ignore_above": 256},
    "spanId": {"type": "keyword", "ignore_above": 256},
    "parentSpanId": {"type": "keyword", "ignore_above": 256},
    "traceState": KEYWORD,
    "name": {"type": "keyword", "ignore_above": 1024},
    "kind": {"type": "keyword", "ignore_above": 128},
    "startTime": DATE_NANOS,
    "endTime": DATE_NANOS,
    "durationInNanos": {"type": "long"},
    "serviceName": KEYWORD,
    "status": {"properties": {"code": INTEGER, "message": KEYWORD}},
    "traceGroup": {"type": "keyword", "ignore_above": 1024},
    "traceGroupFields": {"properties": {"endTime": DATE_NANOS, "durationInNanos": {"type": "long"},
                                        "statusCode": INTEGER}},
    "events": {"type": "nested", "properties": {"name": KEYWORD, "time": DATE_NANOS,
                                                "attributes": _ATTRIBUTES_AS_OBJECT,
                                                "droppedAttributesCount": INTEGER}},
    "links": {"type": "nested", "properties": {"traceId": KEYWORD, "spanId": KEYWORD, "traceState": KEYWORD,
                                               "attributes": _ATTRIBUTES_AS_OBJECT,
                                               "droppedAttributesCount": INTEGER}},
    "droppedAttributesCount": INTEGER,
    "droppedEventsCount": INTEGER,
    "droppedLinksCount": INTEGER,
    "instrumentationScope": {"properties": {"name": KEYWORD, "version": KEYWORD}},
}
SPAN_DYNAMIC_TEMPLATES = [
    # Attribute keys are flattened with '@' for '.', e.g. span.attributes.http@route; every value
    # is a keyword so a number in one span and a string in the next never conflict.
    {"span_attributes": {"path_match": "span.attributes.*", "mapping": {"type": "keyword", "ignore_above": 1024}}},
    {"resource_attributes": {"path_match": "resource.attributes.*",
                             "mapping": {"type": "keyword", "ignore_above": 1024}}},
]


def _settings(spec: BootstrapInput) -> dict[str, Any]:
    return {"index": {"number_of_shards": spec.number_of_shards, "number_of_replicas": spec.number_of_replicas,
                      "refresh_interval": spec.refresh_interval}}


def log_index_template(spec: BootstrapInput) -> tuple[str, dict[str, Any]]:
    return spec.log_index_prefix, {
        "index_patterns": [spec.log_index_pattern],
        "priority": TEMPLATE_PRIORITY,
        "template": {"settings": _settings(spec),
                     "mappings": {"dynamic": False, "properties": LOG_PROPERTIES}},
        "_meta": {"managed_by": "platform opensearch_bootstrap", "stack": spec.stack},
    }


def trace_index_template(spec: BootstrapInput) -> tuple[str, dict[str, Any]]:
    return spec.trace_index_prefix, {
        "index_patterns": [spec.trace_index_pattern],
        "priority": TEMPLATE_PRIORITY,
        "template": {"settings": _settings(spec),
                     "mappings": {"date_detection": False, "dynamic_templates": SPAN_DYNAMIC_TEMPLATES,
                                  "properties": SPAN_PROPERTIES}},
        "_meta": {"managed_by": "platform opensearch_bootstrap", "stack": spec.stack},
    }


def retention_policy(family: str, index_pattern: str, retention_days: int) -> dict[str, Any]:
    """Delete whole indices after the retention; daily indices make this exact to the day."""
    return {"policy": {
        "description": f"platform: delete {family} indices {index_pattern} after {retention_days} days",
        "default_state": "hot",
        "states": [
            {"name": "hot", "actions": [],
             "transitions": [{"state_name": "delete", "conditions": {"min_index_age": f"{retention_days}d"}}]},
            {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
        ],
        "ism_template": [{"index_patterns": [index_pattern], "priority": ISM_PRIORITY}],
    }}


def ism_policies(spec: BootstrapInput) -> dict[str, dict[str, Any]]:
    """Policy id -> body; the ids are the index prefixes plus a suffix, unique per stack."""
    return {
        f"{spec.log_index_prefix}-retention": retention_policy("log", spec.log_index_pattern, spec.log_retention_days),
        f"{spec.trace_index_prefix}-retention": retention_policy("trace", spec.trace_index_pattern,
                                                                 spec.trace_retention_days),
    }


def writer_role(spec: BootstrapInput) -> dict[str, Any]:
    """Least privilege for the shipper: bulk-create into its two index families, nothing else."""
    return {
        "description": f"platform {spec.stack}: log shipper writes logs and spans",
        "cluster_permissions": ["indices:data/write/bulk"],
        "index_permissions": [{
            "index_patterns": [spec.log_index_pattern, spec.trace_index_pattern],
            "allowed_actions": ["create_index", "indices:data/write/bulk*", "indices:data/write/index",
                                "indices:admin/mapping/put"],
        }],
    }


def writer_role_mapping(spec: BootstrapInput) -> dict[str, Any]:
    return {"backend_roles": sorted(spec.writer_role_arns), "hosts": [], "users": []}


def reader_role(spec: BootstrapInput) -> dict[str, Any]:
    """Read-only access to the two index families, for people searching logs and traces."""
    return {
        "description": f"platform {spec.stack}: search logs and spans",
        "cluster_permissions": ["cluster_composite_ops_ro"],
        "index_permissions": [{
            "index_patterns": [spec.log_index_pattern, spec.trace_index_pattern],
            "allowed_actions": ["read", "indices:admin/mappings/get", "indices:admin/resolve/index"],
        }],
        "tenant_permissions": [{"tenant_patterns": ["global_tenant"], "allowed_actions": ["kibana_all_read"]}],
    }


def reader_role_mapping(spec: BootstrapInput) -> dict[str, Any]:
    return {"backend_roles": sorted(spec.reader_role_arns), "hosts": [], "users": []}
