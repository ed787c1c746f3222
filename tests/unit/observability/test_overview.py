"""The stack overview: health, a row per service, OpenSearch and log shipping."""
from __future__ import annotations

import pytest

from components.observability.dashboard.layout import validate_dashboard_body
from components.observability.dashboard.overview import overview_dashboard_body
from tests.unit.observability.test_service_dashboard import _metric_names


def test_overview_has_health_services_opensearch_and_shipping(view, domain, shipping) -> None:
    health = ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:platform-dev-orders-health"]
    body = overview_dashboard_body([view], domain, shipping, health)
    validate_dashboard_body(body)
    titles = [w["properties"].get("title", "") for w in body["widgets"]]
    assert "orders: Lambda errors" in titles and "orders: API 5XX" in titles and "orders: DynamoDB throttles" in titles
    assert "platform-prod-logs: cluster status" in titles
    assert "log shipping: events" in titles and "platform-prod-clickstream-stream: iterator age" in titles
    assert [w["properties"]["alarms"] for w in body["widgets"] if w["type"] == "alarm"] == [health]
    assert "_dashboards" in body["widgets"][0]["properties"]["markdown"]
    names = _metric_names(body)
    assert {"EventsReceived", "EventsShipped", "EventsRetried", "EventsDeadLettered", "ShippingLagMs", "NumberOfObjects",
            "FreeStorageSpace", "JVMMemoryPressure", "CPUUtilization", "IndexingRate", "SearchLatency"} <= names


def test_overview_without_opensearch_or_shipping(view) -> None:
    body = overview_dashboard_body([view], None, None, [])
    assert not any("log shipping" in w["properties"].get("title", "") for w in body["widgets"])
    assert not any(w["type"] == "alarm" for w in body["widgets"])


def test_overview_needs_region_and_stack_without_views() -> None:
    with pytest.raises(ValueError, match="region and stack"):
        overview_dashboard_body([], None, None, [])
    body = overview_dashboard_body([], None, None, [], region="eu-west-1", stack="dev")
    assert "Platform overview (dev)" in body["widgets"][0]["properties"]["markdown"]
