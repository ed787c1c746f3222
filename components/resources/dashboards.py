"""Emits dashboard bodies built by the pure dashboard builders.

The body is serialised once, here, so the string the offline preview writes to `dashboards/` is
byte for byte the string `pulumi up` sends.
"""
from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components.observability.dashboard.layout import validate_dashboard_body


def serialise_body(body: dict[str, Any]) -> str:
    validate_dashboard_body(body)
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def emit_dashboard(logical_name: str, dashboard_name: str, body: dict[str, Any],
                   parent: pulumi.Resource) -> aws.cloudwatch.Dashboard:
    return aws.cloudwatch.Dashboard(logical_name, dashboard_name=dashboard_name,
                                    dashboard_body=serialise_body(body),
                                    opts=pulumi.ResourceOptions(parent=parent))
