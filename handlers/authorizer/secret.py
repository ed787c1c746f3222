"""The signing secret, read from Secrets Manager once per container.

A failure to read it is not a bad token: it raises, so API Gateway answers 500 and the
function's error alarm fires, instead of turning an outage into a stream of 403s. A failed read
is not cached, so the next invocation tries again.
"""

from __future__ import annotations

from handlers.boto_clients import client

MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key of at least the hash size
_cache: dict[str, bytes] = {}


class SecretUnavailable(RuntimeError):
    """The secret cannot be used: unreadable, empty, binary-only or too short."""


def signing_secret(secret_arn: str) -> bytes:
    """The SecretString's bytes (the whole string is the key)."""
    cached = _cache.get(secret_arn)
    if cached is not None:
        return cached
    try:
        value = client("secretsmanager").get_secret_value(SecretId=secret_arn).get("SecretString")
    except Exception as error:  # noqa: BLE001 - any failure to read means no decision is possible
        raise SecretUnavailable(f"cannot read the signing secret {secret_arn}: {error}") from error
    if not isinstance(value, str):
        raise SecretUnavailable(f"signing secret {secret_arn} has no SecretString")
    key = value.encode("utf-8")
    if len(key) < MIN_SECRET_BYTES:
        raise SecretUnavailable(f"signing secret {secret_arn} is {len(key)} bytes; HS256 needs at least {MIN_SECRET_BYTES}")
    _cache[secret_arn] = key
    return key
