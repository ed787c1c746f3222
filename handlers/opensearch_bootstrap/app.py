"""Lambda entry point ``handlers.opensearch_bootstrap.app.handler``, invoked at deploy time.

Any failure raises, so ``aws.lambda_.Invocation`` (and therefore ``pulumi up``) fails rather
than leaving a domain without templates or access for the shipper.
"""
from __future__ import annotations

import os
from typing import Any

from handlers.log_shipper.bulk_client import build_client, default_credentials
from handlers.opensearch_bootstrap.apply import apply_bootstrap
from handlers.opensearch_bootstrap.cluster import OpenSearchClusterApi
from handlers.opensearch_bootstrap.inputs import parse_bootstrap_input
from handlers.telemetry import instrument, logger


@instrument(service="log-shipping")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    spec = parse_bootstrap_input(event)
    endpoint = (spec.endpoint or os.environ.get("OPENSEARCH_ENDPOINT", "")).rstrip("/")
    if not endpoint:
        raise ValueError("invalid bootstrap input: no endpoint in the input and OPENSEARCH_ENDPOINT is not set")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    client = build_client(endpoint, region, default_credentials(), timeout_seconds=30.0, compress=False)
    try:
        summary = apply_bootstrap(spec, OpenSearchClusterApi(client))
    finally:
        client.close()
    logger.info("opensearch bootstrap applied", summary=summary)
    return {"stack": spec.stack, **summary}
