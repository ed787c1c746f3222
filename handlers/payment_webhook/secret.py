"""The webhook signing secret, read from Secrets Manager once per container.

The secret's `SecretString` is the signing secret itself. It is read on the first invocation
(not at import, so a cold start that fails to read it fails an invocation that is retried,
rather than the whole init) and kept for the life of the container.
"""

from __future__ import annotations

import os

from handlers.boto_clients import client

_cache: dict[str, bytes] = {}


class SecretUnavailable(RuntimeError):
    """The secret is not configured or has no string value: no signature can be checked."""


def webhook_secret() -> bytes:
    arn = os.environ.get("WEBHOOK_SECRET_ARN", "").strip()
    if not arn:
        raise SecretUnavailable("WEBHOOK_SECRET_ARN is not set")
    cached = _cache.get(arn)
    if cached is None:
        value = client("secretsmanager").get_secret_value(SecretId=arn).get("SecretString")
        if not value:
            raise SecretUnavailable(f"secret {arn} has no SecretString")
        cached = _cache[arn] = value.encode()
    return cached
