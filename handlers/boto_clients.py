"""One boto3 client per AWS service and region for the whole process.

Lambda keeps the process between invocations, so a client (its connection pool, resolved
credentials and endpoint) is created once: on first use rather than at import, so that a
handler which never calls a service never pays for its client.
"""

from __future__ import annotations

import os
from typing import Any

_clients: dict[tuple[str, str], Any] = {}


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def client(service: str) -> Any:
    """The process's client for `service` in the function's region."""
    key = (service, region())
    found = _clients.get(key)
    if found is None:
        import boto3

        found = _clients[key] = boto3.client(service, region_name=key[1])
    return found
