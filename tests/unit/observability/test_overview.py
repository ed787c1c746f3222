"""The stack overview: every health alarm, a golden-signal row per service, OpenSearch and log shipping."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.observability.dashboard.golden_signals import Signal, golden_signals
from components.observability.dashboard.layout import validate_dashboard_body
from components.observability.dashboard.overview import ROW_HEIGHT, overview_dashboard_body, service_row
from components.observability.refs import (
    KinesisRef,
    LambdaRef,
    QueueRef,
    RestApiRef,
    RuleRef,
    ServiceView,
    StateMachineRef,
    TableRef,
    TopicRef,
)
from tests.unit.observability.test_service_dashboard import _metric_names

HEALTH = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:platform-dev-orders-health"


def _titles(body) -> list[str]:
    return [w["properties"].get("title", "") for w in body["widgets"]]


def test_overview_has_health_rows_opensearch_and_shipping(view, domain, shipping) -> None:
    logging_health = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:platform-dev-log-shipping-health"
    body = overview_dashboard_body([view], [HEALTH], domain, shipping, [logging_health])
    validate_dashboard_body(body)
    titles = _titles(body)
    assert {"orders: traffic", "orders: errors", "orders: latency", "orders: saturation", "orders: health"} <= set(titles)
    assert "platform-prod-logs: cluster status" in titles
    assert "log shipping: events" in titles and "platform-prod-clickstream-stream: iterator age" in titles
    alarms = {w["properties"]["title"]: w["properties"]["alarms"] for w in body["widgets"] if w["type"] == "alarm"}
    assert alarms == {"dev: service health": [logging_health, HEALTH], "orders: health": [HEALTH]}
    assert "_dashboards" in body["widgets"][0]["properties"]["markdown"]
    names = _metric_names(body)
    assert {"EventsReceived", "EventsShipped", "EventsRetried", "EventsDeadLettered", "ShippingLagMs", "NumberOfObjects",
            "FreeStorageSpace", "JVMMemoryPressure", "CPUUtilization", "IndexingRate", "SearchLatency"} <= names


def test_service_row_links_dashboard_traces_and_opensearch(view) -> None:
    named = dataclasses.replace(view, dashboard_name="platform-dev-orders-dashboard", opensearch_dashboards_url=None)
    links = service_row(named, HEALTH, "https://console/opensearch")[0]["properties"]["markdown"]
    assert "#dashboards/dashboard/platform-dev-orders-dashboard" in links
    assert "xray:traces" in links and "xray:service-map" in links and "platform-dev-orders" in links
    assert "(https://console/opensearch)" in links
    unnamed = service_row(dataclasses.replace(view, dashboard_name=None), HEALTH)[0]["properties"]["markdown"]
    assert "#dashboards:" in unnamed


def test_service_row_signals_come_from_the_services_resources(view) -> None:
    widgets = {w["properties"].get("title"): w for w in service_row(view, HEALTH)}
    traffic = [row[1] for row in widgets["orders: traffic"]["properties"]["metrics"]]
    assert traffic == ["Invocations", "Invocations", "Count"]  # two functions, one API
    latency = widgets["orders: latency"]["properties"]["metrics"]
    assert [(row[1], row[-1]["stat"]) for row in latency] == [("Duration", "p99"), ("Duration", "p99"), ("Latency", "p99")]
    saturation = {row[1] for row in widgets["orders: saturation"]["properties"]["metrics"]}
    assert saturation == {"ConcurrentExecutions", "Throttles", "ReadThrottleEvents", "WriteThrottleEvents"}


def test_a_signal_nobody_feeds_gets_a_note_and_the_row_keeps_its_shape() -> None:
    topic_only = ServiceView("alerts", "dev", "eu-west-1", "123456789012", topics=(TopicRef("platform-dev-alerts"),))
    row = service_row(topic_only, None)
    assert [w["type"] for w in row] == ["text", "text", "metric", "metric", "text", "text"]
    assert "No resource of this service has a latency metric" in row[4]["properties"]["markdown"]
    assert sum(w["width"] for w in row) == 24 and {w["height"] for w in row} == {ROW_HEIGHT}


def test_event_driven_kinds_feed_the_signals() -> None:
    rich = ServiceView(
        "fulfilment", "dev", "eu-west-1", "123456789012",
        streams=(KinesisRef("s"),), queues=(QueueRef("q", 30), QueueRef("dlq", 30, is_dead_letter=True)),
        state_machines=(StateMachineRef("wf", "arn:aws:states:eu-west-1:123456789012:stateMachine:wf"),),
        rules=(RuleRef("r"),))
    signals = golden_signals(rich, 300)
    assert list(signals) == list(Signal)
    names = {signal: {m.metric.metric_name for m in metrics} for signal, metrics in signals.items()}
    assert names[Signal.TRAFFIC] == {"IncomingRecords", "NumberOfMessagesReceived", "ExecutionsStarted", "TriggeredRules"}
    assert names[Signal.ERRORS] == {"ApproximateNumberOfMessagesVisible", "ExecutionsFailed", "ExecutionsTimedOut",
                                    "FailedInvocations"}
    assert "ApproximateAgeOfOldestMessage" in names[Signal.LATENCY]


def test_overview_without_opensearch_or_shipping(view) -> None:
    body = overview_dashboard_body([view], [None], None, None, [])
    assert not any("log shipping" in title for title in _titles(body))
    assert not any(w["type"] == "alarm" for w in body["widgets"])


def test_overview_needs_region_and_stack_without_views_and_one_health_arn_per_view(view) -> None:
    with pytest.raises(ValueError, match="region and stack"):
        overview_dashboard_body([], [], None, None, [])
    with pytest.raises(ValueError, match="one health alarm"):
        overview_dashboard_body([view], [], None, None, [])
    body = overview_dashboard_body([], [], None, None, [], region="eu-west-1", stack="dev")
    assert "Platform overview (dev)" in body["widgets"][0]["properties"]["markdown"]


def _refs(n: int):
    return dict(
        lambdas=tuple(LambdaRef(f"fn{i}", 10, f"/g/fn{i}", part=f"fn{i}") for i in range(n)),
        apis=tuple(RestApiRef(f"api{i}", "v1", f"/g/api{i}", part=f"api{i}") for i in range(n % 3)),
        tables=tuple(TableRef(f"t{i}", part=f"t{i}") for i in range(n % 2)),
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=8))
def test_every_row_is_one_grid_row_of_six_cells(sizes) -> None:
    views = [ServiceView(f"svc{i}", "dev", "eu-west-1", "123456789012", **_refs(n)) for i, n in enumerate(sizes)]
    body = overview_dashboard_body(views, [f"arn:h{i}" for i in range(len(views))], None, None, [])
    validate_dashboard_body(body)
    rows: dict[int, list[dict]] = {}
    for widget in body["widgets"][2:]:
        rows.setdefault(widget["y"], []).append(widget)
    assert len(rows) == len(views) and all(len(r) == 6 for r in rows.values())


def _ref_fields() -> list[tuple[str, type]]:
    """ServiceView fields that hold resources: ``tuple[SomeRef, ...]``."""
    import typing

    hints = typing.get_type_hints(ServiceView)
    return [(f.name, typing.get_args(hints[f.name])[0]) for f in dataclasses.fields(ServiceView)
            if typing.get_origin(hints[f.name]) is tuple and dataclasses.is_dataclass(typing.get_args(hints[f.name])[0])]


@pytest.mark.parametrize(("field", "ref_type"), _ref_fields(), ids=lambda v: v if isinstance(v, str) else "")
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_resource_kind_of_a_service_feeds_a_golden_signal(field, ref_type, data) -> None:
    """A kind added to ServiceView without an entry in golden_signals would leave its row blank."""
    from tests.unit.ref_strategies import ref_strategy

    view = ServiceView("svc", "dev", "eu-west-1", "123456789012", **{field: (data.draw(ref_strategy(ref_type)),)})
    assert any(golden_signals(view, 300).values()), f"{field} feeds no golden signal"
