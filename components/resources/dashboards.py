"""Emits dashboard bodies built by the pure dashboard builders.

The body is serialised once, here, so the string the offline preview writes to `dashboards/` is
byte for byte the string `pulumi up` sends, but for values AWS assigns at creation (a load balancer's
id, see `observability/deploy_time.py`), which the offline preview fills from its mocks.
"""
from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components.observability.dashboard.layout import validate_dashboard_body
from components.observability.deploy_time import MARK, deploy_time_values, substitute


def serialise_body(body: dict[str, Any]) -> str:
    validate_dashboard_body(body)
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def deployed_body(body: dict[str, Any]) -> pulumi.Input[str]:
    """The serialised body, with values AWS assigns at creation (a load balancer's id) filled in once known."""
    text = serialise_body(body)
    # A stand-in serialises as its marked text, so a body whose text has no mark holds none: the walk
    # through every widget is only needed for the few dashboards that show a load balancer.
    late = deploy_time_values(body) if MARK in text else {}
    if not late:
        return substitute(text, {})  # refuses a stand-in that lost its value on the way
    stand_ins = list(late)
    return pulumi.Output.all(*late.values()).apply(lambda values: substitute(text, dict(zip(stand_ins, values))))


def emit_dashboard(logical_name: str, dashboard_name: str, body: dict[str, Any],
                   parent: pulumi.Resource) -> aws.cloudwatch.Dashboard:
    return aws.cloudwatch.Dashboard(logical_name, dashboard_name=dashboard_name,
                                    dashboard_body=deployed_body(body),
                                    opts=pulumi.ResourceOptions(parent=parent))
