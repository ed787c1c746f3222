"""Environment variables the telemetry package reads, in one place.

The Pulumi components set these (see docs/conventions.md). Reading them through small
functions, at call time, lets tests change the environment without reloading modules.
"""

from __future__ import annotations

import os

DEFAULT_SERVICE = "unknown-service"
DEFAULT_NAMESPACE = "platform"
EXPORTERS = ("log", "otlp", "none")


def service_name() -> str:
    return os.environ.get("SERVICE_NAME") or DEFAULT_SERVICE


def environment() -> str | None:
    return os.environ.get("ENVIRONMENT") or None


def metrics_namespace() -> str:
    return os.environ.get("METRICS_NAMESPACE") or DEFAULT_NAMESPACE


def exporter_name() -> str:
    """`log` unless a known exporter is named; an unknown value must not silently lose spans."""
    value = (os.environ.get("TELEMETRY_EXPORTER") or "log").strip().lower()
    return value if value in EXPORTERS else "log"


def log_level_name() -> str:
    return (os.environ.get("LOG_LEVEL") or "INFO").strip().upper()


def lambda_trace_header() -> str | None:
    """The X-Ray header Lambda sets per invocation; read fresh each time because it changes."""
    return os.environ.get("_X_AMZN_TRACE_ID") or None


def xray_daemon_address() -> str | None:
    """Where the X-Ray daemon listens; Lambda sets it for functions with active tracing."""
    return os.environ.get("AWS_XRAY_DAEMON_ADDRESS") or None


def running_in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME")) and not os.environ.get("AWS_SAM_LOCAL")


def xray_patch_mode() -> str:
    """`on` (default) or `off`: whether AWS SDK calls become X-Ray subsegments inside Lambda.

    `lazy` and `eager` are read as `on`: they chose when the X-Ray SDK was imported, and the
    package no longer imports it.
    """
    value = (os.environ.get("TELEMETRY_XRAY_PATCH") or "on").strip().lower()
    return "off" if value == "off" else "on"


def stdlib_logging_routed() -> bool:
    """`TELEMETRY_STDLIB_LOGGING`: `on` (default) routes `logging` records through the JSON logger."""
    return (os.environ.get("TELEMETRY_STDLIB_LOGGING") or "on").strip().lower() != "off"


def provisioned_concurrency() -> bool:
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == "provisioned-concurrency"


def region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
