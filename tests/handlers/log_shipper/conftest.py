"""Shared wiring for shipper tests: moto S3 for dead letters and the local bulk endpoint."""
from __future__ import annotations

import json
import random
from typing import Any, Callable, Iterator

import boto3
import pytest
from botocore.credentials import Credentials
from moto import mock_aws

from handlers.log_shipper.config import ShipperConfig
from handlers.log_shipper.outage import OutageGuard
from handlers.log_shipper.pipeline import Shipper
from handlers.log_shipper.retry_policy import RetryPolicy
from handlers.log_shipper.wiring import build_shipper, transport_from
from tests.handlers.log_shipper.fake_bulk_server import FakeBulkServer

BUCKET = "platform-dev-log-shipping-dead-letters"


AWS_TEST_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def moto_s3() -> Iterator[Any]:
    """One moto session per module (starting moto costs ~0.2 s); tests get an emptied bucket."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in AWS_TEST_ENV.items():
            patch.setenv(name, value)
        with mock_aws():
            client = boto3.client("s3", region_name="us-east-1")
            client.create_bucket(Bucket=BUCKET)
            yield client


@pytest.fixture
def s3(moto_s3: Any) -> Any:
    empty_bucket(moto_s3)
    return moto_s3


def empty_bucket(client: Any) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=BUCKET, Delete={"Objects": keys, "Quiet": True})


@pytest.fixture
def server() -> Iterator[FakeBulkServer]:
    with FakeBulkServer() as running:
        yield running


def shipper_config(endpoint: str, **overrides: Any) -> ShipperConfig:
    env = {"OPENSEARCH_ENDPOINT": endpoint, "DEAD_LETTER_BUCKET": BUCKET, "LOG_INDEX_PREFIX": "logs-dev",
           "TRACE_INDEX_PREFIX": "otel-v1-apm-span-dev", "LOG_GROUP_PREFIX": "/platform/dev/",
           "ENVIRONMENT": "dev", "AWS_REGION": "us-east-1"}
    env.update({key: str(value) for key, value in overrides.items()})
    return ShipperConfig.from_env(env)


class RotatingCredentials:
    """Hands out the given access keys in turn, the last one forever: models a token refresh."""

    def __init__(self, *access_keys: str) -> None:
        self._keys = list(access_keys) or ["fresh-key"]
        self.calls = 0

    def __call__(self) -> Credentials:
        key = self._keys[min(self.calls, len(self._keys) - 1)]
        self.calls += 1
        return Credentials(key, "secret", "token")


def fast_policy(seed: int = 1, **overrides: Any) -> RetryPolicy:
    """Tiny real backoffs so retry paths run in milliseconds; the schedule itself is unit-tested."""
    settings = {"max_attempts": 8, "base_seconds": 0.001, "cap_seconds": 0.004, "safety_margin_ms": 1_000,
                "request_timeout_seconds": 5.0}
    settings.update(overrides)
    return RetryPolicy(rng=random.Random(seed), **settings)


@pytest.fixture
def make_shipper(server: FakeBulkServer, s3: Any) -> Callable[..., Shipper]:
    def make(remaining_ms: Callable[[], float] = lambda: 900_000.0, credentials: RotatingCredentials | None = None,
             policy: RetryPolicy | None = None, s3_client: Any = None, guard: OutageGuard | None = None,
             **config_overrides: Any) -> Shipper:
        config = shipper_config(server.url, **config_overrides)
        transport = transport_from(config, credentials or RotatingCredentials())
        return build_shipper(config, transport, s3_client or s3, remaining_ms=remaining_ms,
                             sleep=lambda seconds: None, policy=policy or fast_policy(), guard=guard)
    return make


def dead_letters(s3_client: Any) -> list[dict[str, Any]]:
    listed = s3_client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return [json.loads(s3_client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()) for item in listed]


def dead_lettered_event_ids(s3_client: Any) -> list[str]:
    return [letter["record"]["event"]["id"] for letter in dead_letters(s3_client) if letter["kind"] == "document"]
