"""Shipper settings, read once from the environment the components set (see conventions.md)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Mapping

FIVE_MIB = 5 * 1024 * 1024


@dataclass(frozen=True)
class ShipperConfig:
    """Everything the shipper needs to know; frozen so a warm container cannot drift."""

    endpoint: str
    dead_letter_bucket: str
    log_index_prefix: str
    trace_index_prefix: str
    log_group_prefix: str
    environment: str
    region: str
    max_chunk_bytes: int = FIVE_MIB
    max_document_bytes: int = 1024 * 1024
    request_timeout_seconds: float = 30.0
    safety_margin_ms: int = 10_000
    max_attempts: int = 8
    backoff_base_seconds: float = 0.2
    backoff_cap_seconds: float = 5.0
    compress: bool = False
    outage_budget_ms: int = 3_000

    def __hash__(self) -> int:
        """Computed once: the policy and naming caches hash the config on every invocation, and
        the generated hash would rebuild a tuple of every field each time."""
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(tuple(getattr(self, item.name) for item in fields(self)))
            object.__setattr__(self, "_hash", cached)
        return cached

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ShipperConfig":
        """Fail at cold start, not mid-batch, when a required variable is missing."""
        env = os.environ if env is None else env
        missing = [
            name
            for name in ("OPENSEARCH_ENDPOINT", "DEAD_LETTER_BUCKET", "LOG_INDEX_PREFIX", "TRACE_INDEX_PREFIX")
            if not env.get(name)
        ]
        if missing:
            raise ValueError(f"log shipper is missing environment variables: {', '.join(missing)}")
        environment = env.get("ENVIRONMENT", "")
        return cls(
            endpoint=env["OPENSEARCH_ENDPOINT"].rstrip("/"),
            dead_letter_bucket=env["DEAD_LETTER_BUCKET"],
            log_index_prefix=env["LOG_INDEX_PREFIX"],
            trace_index_prefix=env["TRACE_INDEX_PREFIX"],
            log_group_prefix=env.get("LOG_GROUP_PREFIX") or f"/platform/{environment}/",
            environment=environment,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            max_chunk_bytes=int(env.get("SHIPPER_MAX_CHUNK_BYTES", FIVE_MIB)),
            max_document_bytes=int(env.get("SHIPPER_MAX_DOCUMENT_BYTES", 1024 * 1024)),
            request_timeout_seconds=float(env.get("SHIPPER_REQUEST_TIMEOUT_SECONDS", 30.0)),
            safety_margin_ms=int(env.get("SHIPPER_SAFETY_MARGIN_MS", 10_000)),
            max_attempts=int(env.get("SHIPPER_MAX_ATTEMPTS", 8)),
            compress=env.get("SHIPPER_COMPRESS", "false").strip().lower() in ("1", "true", "yes"),
            outage_budget_ms=int(env.get("SHIPPER_OUTAGE_BUDGET_MS", 3_000)),
        )
