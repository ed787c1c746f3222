"""AWS clients, created once per process (the Lambda container) and only when first needed."""

from __future__ import annotations

import os
from typing import Any

_clients: dict[str, Any] = {}


def dynamodb() -> Any:
    client = _clients.get("dynamodb")
    if client is None:
        import boto3

        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        client = _clients["dynamodb"] = boto3.client("dynamodb", region_name=region)
    return client
