"""The webhook signing secret, read from Secrets Manager once per container.

The secret's `SecretString` is the signing secret itself. It is read on the first invocation
(not at import, so a cold start that fails to read it fails an invocation that is retried,
rather than the whole init) and kept for the life of the container.
"""

from __future__ import annotations

import os
from typing import Any

_cache: dict[str, bytes] = {}
_clients: dict[str, Any] = {}


class SecretUnavailable(RuntimeError):
    pass


def secrets_client() -> Any:
    client = _clients.get("secretsmanager")
    if client is None:
        import boto3

        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        client = _clients["secretsmanager"] = boto3.client("secretsmanager", region_name=region)
    return client


def webhook_secret() -> bytes:
    arn = os.environ.get("WEBHOOK_SECRET_ARN", "").strip()
    if not arn:
        raise SecretUnavailable("WEBHOOK_SECRET_ARN is not set")
    cached = _cache.get(arn)
    if cached is None:
        value = secrets_client().get_secret_value(SecretId=arn).get("SecretString")
        if not value:
            raise SecretUnavailable(f"secret {arn} has no SecretString")
        cached = _cache[arn] = value.encode()
    return cached
