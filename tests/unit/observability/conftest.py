"""Shared refs and thresholds for the observability builder tests."""

from __future__ import annotations

import dataclasses

import pytest

from components.observability.model import SeverityThresholds
from components.observability.refs import (
    KinesisRef,
    LambdaRef,
    LogShippingRef,
    OpenSearchRef,
    RestApiRef,
    ServiceView,
    TableRef,
)
from components.observability.thresholds import RECOMMENDED_THRESHOLDS, AlarmThresholds

REGION = "eu-west-1"
ACCOUNT = "123456789012"


@pytest.fixture
def thresholds() -> AlarmThresholds:
    return RECOMMENDED_THRESHOLDS


@pytest.fixture
def api_fn() -> LambdaRef:
    return LambdaRef(
        function_name="platform-dev-orders-api",
        timeout_seconds=10,
        log_group_name="/platform/dev/orders/lambda-api",
        reserved_concurrency=50,
        part="api",
    )


@pytest.fixture
def table() -> TableRef:
    return TableRef(table_name="platform-dev-orders-table", part="table", global_secondary_indexes=("by-customer",))


@pytest.fixture
def api() -> RestApiRef:
    return RestApiRef(api_name="platform-dev-orders", stage_name="api", access_log_group_name="/platform/dev/orders/api-access", part="api")


@pytest.fixture
def stream() -> KinesisRef:
    return KinesisRef(stream_name="platform-prod-clickstream-stream", part="stream")


@pytest.fixture
def view(api_fn: LambdaRef, api: RestApiRef, table: TableRef) -> ServiceView:
    worker = LambdaRef(
        function_name="platform-dev-orders-worker",
        timeout_seconds=60,
        log_group_name="/platform/dev/orders/lambda-worker",
        part="worker",
        reads_stream=True,
    )
    return ServiceView(
        service="orders",
        stack="dev",
        region=REGION,
        account_id=ACCOUNT,
        lambdas=(api_fn, worker),
        apis=(api,),
        tables=(table,),
        xray_group_name="platform-dev-orders",
        opensearch_dashboards_url="https://search-platform-dev-logs.eu-west-1.es.amazonaws.com/_dashboards",
    )


@pytest.fixture
def domain() -> OpenSearchRef:
    return OpenSearchRef(
        domain_name="platform-prod-logs",
        account_id=ACCOUNT,
        instance_count=3,
        volume_size_gb=100,
        dedicated_master=True,
        kms_encrypted=True,
        dashboards_url="https://search-platform-prod-logs.eu-west-1.es.amazonaws.com/_dashboards",
    )


@pytest.fixture
def shipping(stream: KinesisRef) -> LogShippingRef:
    return LogShippingRef(
        function=LambdaRef(
            function_name="platform-prod-log-shipping-shipper",
            timeout_seconds=60,
            log_group_name="/platform/prod/log-shipping/lambda-shipper",
            part="shipper",
        ),
        dead_letter_bucket="platform-prod-log-shipping-dead-letter",
        metrics_namespace="platform/prod",
        kinesis=stream,
    )


def only(thresholds: AlarmThresholds, **changes: SeverityThresholds) -> AlarmThresholds:
    """Thresholds with some fields replaced (used to disable severities)."""
    return dataclasses.replace(thresholds, **changes)
