"""Builds a ready ``Shipper`` from settings; the seams (transport, S3, clock) stay injectable."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from handlers.log_shipper.bulk_client import (BulkTransport, CredentialsProvider, SignedBulkTransport,
                                              default_credentials)
from handlers.log_shipper.config import ShipperConfig
from handlers.log_shipper.dead_letters import DeadLetterStore
from handlers.log_shipper.delivery import Deliverer
from handlers.log_shipper.documents import IndexNaming
from handlers.log_shipper.outage import OutageGuard
from handlers.log_shipper.pipeline import Shipper
from handlers.log_shipper.retry_policy import RemainingMs, RetryPolicy, Sleep, no_deadline, real_sleep


def transport_from(config: ShipperConfig, credentials_provider: CredentialsProvider = default_credentials,
                   while_waiting: Callable[[], None] | None = None) -> SignedBulkTransport:
    return SignedBulkTransport(config.endpoint, config.region, credentials_provider, compress=config.compress,
                               while_waiting=while_waiting)


class LazyS3Client:
    """The dead-letter store's S3 client, created on the first dead letter: most containers never
    write one, and creating it (S3's service model, endpoint rules) costs ~40 ms of a cold start."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._client: Any = None

    def put_object(self, **kwargs: Any) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3", region_name=self._region)
        return self._client.put_object(**kwargs)


@lru_cache(maxsize=8)
def naming_from(config: ShipperConfig) -> IndexNaming:
    return IndexNaming(config.log_index_prefix, config.trace_index_prefix, config.log_group_prefix,
                       config.environment)


MARGIN_SHARE_OF_INVOCATION = 0.2


def policy_from(config: ShipperConfig, invocation_ms: float | None = None) -> RetryPolicy:
    """The safety margin is at most a fifth of the invocation, so a short function timeout
    (the platform allows 10 s) still leaves time to ship instead of always giving up."""
    margin = config.safety_margin_ms
    if invocation_ms is not None:
        margin = int(min(margin, invocation_ms * MARGIN_SHARE_OF_INVOCATION))
    return _policy(config, margin)


@lru_cache(maxsize=64)
def _policy(config: ShipperConfig, margin_ms: int) -> RetryPolicy:
    """Policies are immutable, and with one function timeout the margin is nearly always the same."""
    return RetryPolicy(max_attempts=config.max_attempts, base_seconds=config.backoff_base_seconds,
                       cap_seconds=config.backoff_cap_seconds, safety_margin_ms=margin_ms,
                       request_timeout_seconds=config.request_timeout_seconds)


def build_shipper(config: ShipperConfig, transport: BulkTransport | None = None, s3_client: Any = None,
                  remaining_ms: RemainingMs = no_deadline, sleep: Sleep = real_sleep,
                  policy: RetryPolicy | None = None, guard: OutageGuard | None = None) -> Shipper:
    """``guard`` is the container's (see outage.py); without one, this shipper gets its own."""
    if transport is None:
        transport = transport_from(config)
    if s3_client is None:
        import boto3

        s3_client = boto3.client("s3", region_name=config.region)
    deliverer = Deliverer(transport, policy, remaining_ms, sleep, config.max_chunk_bytes,
                          guard if guard is not None else OutageGuard(config.outage_budget_ms))
    shipper = Shipper(naming_from(config), deliverer, DeadLetterStore(s3_client, config.dead_letter_bucket),
                      config.max_document_bytes)
    return bind_to_invocation(shipper, config, remaining_ms, policy)


def bind_to_invocation(shipper: Shipper, config: ShipperConfig, remaining_ms: RemainingMs,
                       policy: RetryPolicy | None = None) -> Shipper:
    """Ready ``shipper`` for an invocation with this deadline. The entry point keeps one shipper
    per container and binds it per invocation: building one cost about 4 µs of a 10-event
    invocation's 200 (benchmarks/README.md, "Log shipper")."""
    if policy is None:
        time_left = remaining_ms()
        policy = policy_from(config, time_left if time_left != float("inf") else None)
    shipper.deliverer.bind(remaining_ms, policy, config.max_chunk_bytes)
    return shipper
