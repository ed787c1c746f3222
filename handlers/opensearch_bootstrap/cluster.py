"""``ClusterApi`` over opensearch-py's signed transport (SigV4, service ``es``)."""
from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import NotFoundError


class OpenSearchClusterApi:
    def __init__(self, client: OpenSearch) -> None:
        self._client = client

    def get(self, path: str) -> dict[str, Any] | None:
        try:
            return self._client.transport.perform_request("GET", path)
        except NotFoundError:
            return None

    def send(self, method: str, path: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None, missing_ok: bool = False) -> dict[str, Any]:
        try:
            result = self._client.transport.perform_request(method, path, body=body, params=params or None)
        except NotFoundError:
            if missing_ok:
                return {}
            raise
        return result if isinstance(result, dict) else {}
