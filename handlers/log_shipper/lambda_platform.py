"""Typed fields from the Lambda runtime's own lines (START, END, REPORT, INIT_START).

Both formats are understood: the text lines Lambda writes by default and the JSON
``platform.*`` records it writes when the function's log format is JSON. The result is the
same ``lambda`` object either way so dashboards need not care which one a function used.
"""
from __future__ import annotations

import math
import re
from typing import Any

_FLOAT_FIELDS = {
    "Duration": "duration_ms",
    "Billed Duration": "billed_duration_ms",
    "Init Duration": "init_duration_ms",
    "Restore Duration": "restore_duration_ms",
}
_INT_FIELDS = {"Memory Size": "memory_size_mb", "Max Memory Used": "max_memory_used_mb"}
_TEXT_FIELDS = {
    "RequestId": "request_id",
    "Version": "version",
    "TraceId": "xray_trace_id",
    "XRAY TraceId": "xray_trace_id",
    "SegmentId": "xray_segment_id",
    "Runtime Version": "runtime_version",
    "Runtime Version ARN": "runtime_version_arn",
    "Status": "status",
    "Error Type": "error_type",
}


_KIND = re.compile(r"(START|END|REPORT|INIT_START) ")


def parse_platform_text(message: str) -> dict[str, Any] | None:
    """Return the ``lambda`` object for a platform text line, or None for any other line."""
    if message[:1] not in ("S", "E", "R", "I"):
        return None  # cheap exit for the vast majority of lines
    matched = _KIND.match(message)
    if matched is None:
        return None
    kind = matched.group(1)
    rest = message[matched.end():]
    if kind != "INIT_START" and not rest.startswith("RequestId:"):
        return None
    fields: dict[str, Any] = {"type": kind}
    # START separates its fields with spaces ("RequestId: x Version: $LATEST"), the rest with tabs.
    if kind == "START":
        rest = rest.replace(" Version: ", "\tVersion: ")
    for part in rest.replace("\n", "\t").split("\t"):
        key, sep, value = part.partition(": ")
        if sep:
            _set_field(fields, key.strip(), value.strip())
    return fields


def _set_field(fields: dict[str, Any], key: str, value: str) -> None:
    if key in _FLOAT_FIELDS:
        try:
            number = float(value.split(" ", 1)[0])
        except ValueError:
            return
        if math.isfinite(number):  # NaN would make the whole bulk body invalid JSON
            fields[_FLOAT_FIELDS[key]] = number
    elif key in _INT_FIELDS:
        try:
            fields[_INT_FIELDS[key]] = int(value.split(" ", 1)[0])
        except ValueError:
            pass
    elif key in _TEXT_FIELDS:
        fields[_TEXT_FIELDS[key]] = value
    elif key == "Sampled":
        fields["xray_sampled"] = value.lower() == "true"


_JSON_KINDS = {"platform.start": "START", "platform.runtimeDone": "END", "platform.report": "REPORT",
               "platform.initStart": "INIT_START"}
_JSON_METRICS = {
    "durationMs": "duration_ms",
    "billedDurationMs": "billed_duration_ms",
    "initDurationMs": "init_duration_ms",
    "restoreDurationMs": "restore_duration_ms",
    "memorySizeMB": "memory_size_mb",
    "maxMemoryUsedMB": "max_memory_used_mb",
}


def parse_platform_json(parsed: dict[str, Any]) -> dict[str, Any] | None:
    """Map a JSON-format ``platform.*`` record onto the same typed fields as the text lines."""
    kind = parsed.get("type")
    record = parsed.get("record")
    if not isinstance(kind, str) or not kind.startswith("platform.") or not isinstance(record, dict):
        return None
    fields: dict[str, Any] = {"type": _JSON_KINDS.get(kind, kind[len("platform."):].upper())}
    for source, target in (("requestId", "request_id"), ("version", "version"), ("status", "status"),
                           ("runtimeVersion", "runtime_version"), ("runtimeVersionArn", "runtime_version_arn")):
        if isinstance(record.get(source), str):
            fields[target] = record[source]
    metrics = record.get("metrics")
    if isinstance(metrics, dict):
        for source, target in _JSON_METRICS.items():
            value = metrics.get(source)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                fields[target] = int(value) if target.endswith("_mb") else float(value)
    tracing = record.get("tracing")
    if isinstance(tracing, dict) and isinstance(tracing.get("value"), str):
        fields["xray_trace_id"] = tracing["value"]
    return fields
