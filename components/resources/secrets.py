"""Secrets a handler needs, kept in Secrets Manager rather than in its environment.

The value comes from a Pulumi secret; the function gets only the secret's ARN and reads the value at
start-up, so neither the Lambda console nor the stack's inventory ever shows it. An empty value
creates the secret without a version, so a stack can be previewed before its secrets are set.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.services.access import Access, sid, statement

if TYPE_CHECKING:
    from components.core import PlatformCore


def secret_name(core: PlatformCore, service: str, env_var: str) -> str:
    """`<project>/<stack>/<service>/<name>`: IAM and the console group a stack's secrets by prefix."""
    return f"{core.namer.project}/{core.namer.stack}/{service}/{env_var.lower().replace('_', '-')}"


def stored_secret(core: PlatformCore, service: str, env_var: str, value: pulumi.Input[str],
                  parent: pulumi.Resource) -> Access:
    slug = env_var.lower().replace("_", "-")
    secret = aws.secretsmanager.Secret(
        f"{service}-secret-{slug}", name=secret_name(core, service, env_var), kms_key_id=core.key.arn,
        recovery_window_in_days=30 if core.settings.protection.deletion_protection else 0,
        tags=core.tags_for(service), opts=pulumi.ResourceOptions(parent=parent))
    if not (isinstance(value, str) and not value):  # the settings warn about an empty secret by its config key
        aws.secretsmanager.SecretVersion(
            f"{service}-secret-{slug}-value", secret_id=secret.id, secret_string=pulumi.Output.secret(value),
            opts=pulumi.ResourceOptions(parent=parent))
    return Access(environment={env_var: secret.arn},
                  statements=(statement(sid("read", slug), ["secretsmanager:GetSecretValue"], secret.arn),),
                  key_services=("secretsmanager",))
