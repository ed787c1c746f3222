"""Cost estimate: known counts give known totals, and a changed setting moves the estimate the right way."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.reports.cost import (
    Assumptions,
    CostInputError,
    PriceTable,
    cost_json,
    cost_markdown,
    estimate,
    sampled_per_second,
)
from components.reports.inventory import StackInventory
from tests.unit.reports import entries as e

# Round numbers, so every expected total below can be checked by hand.
PRICES = PriceTable(
    region="us-east-1", currency="USD", taken_on="2026-01-01", hours_per_month=730,
    sources={"cloudwatch": "https://aws.amazon.com/cloudwatch/pricing/"},
    cloudwatch={"alarm_metric_standard_month": 0.1, "alarm_metric_high_resolution_month": 0.3,
                "composite_alarm_month": 0.5, "dashboard_month": 3.0, "custom_metric_month": 0.3,
                "logs_ingestion_gb": 0.5, "logs_storage_gb_month": 0.03},
    opensearch_storage_gb_month=0.1, opensearch_instance_hour={"small.search": 0.1, "master.search": 0.2},
    kinesis={"shard_hour": 0.01, "put_payload_units_million": 0.014}, xray={"traces_recorded_million": 5.0})
NO_TRAFFIC = Assumptions(requests_per_second_per_api=0, custom_metrics_per_function=0,
                         log_gb_per_function_month=0, log_gb_per_access_log_month=0, log_gb_per_other_group_month=0)


def inventory(*entries: dict, stack: str = "dev") -> StackInventory:
    return StackInventory.from_entries(stack, "us-east-1", list(entries))


def line(est, category: str) -> float:
    return round(est.by_category().get(category, 0.0), 6)


def test_alarms_are_priced_per_metric_they_read() -> None:
    est = estimate(inventory(e.alarm("a1"), e.alarm("a2"), e.alarm("fast", period=10), e.alarm("math", math_metrics=3),
                             e.composite("health", ["a1", "a2"])), PRICES, NO_TRAFFIC)
    # 2 standard x $0.10 + 1 high-res x $0.30 + 3 metrics of math x $0.10 + 1 composite x $0.50
    assert line(est, "alarms") == round(0.2 + 0.3 + 0.3 + 0.5, 6)
    items = {l.item: l.quantity for l in est.lines}
    assert items["standard-resolution metric-math alarms (1), billed per metric read"] == 3
    assert items["high-resolution alarms on one metric (1)"] == 1


def test_dashboards_opensearch_kinesis_and_traces() -> None:
    est = estimate(inventory(e.dashboard("d1"), e.dashboard("d2"), e.domain("logs", "small.search", 2, 50, masters=3,
                                                                            master_type="master.search"),
                             e.stream("s", 2), e.sampling(0.5, 1), e.stage("/g/access")), PRICES,
                   dataclasses.replace(NO_TRAFFIC, requests_per_second_per_api=3))
    assert line(est, "dashboards") == 6.0
    assert line(est, "opensearch") == round(2 * 730 * 0.1 + 3 * 730 * 0.2 + 2 * 50 * 0.1, 6)
    assert line(est, "kinesis") == round(2 * 730 * 0.01, 6)
    # 3 req/s: the reservoir takes 1, then half of the other 2: 2 traces/s for 730 h.
    assert line(est, "x-ray") == round(2 * 730 * 3600 / 1e6 * 5.0, 6)
    assert est.total == pytest.approx(sum(est.by_category().values()))


def test_logs_follow_retention_and_the_stated_volumes() -> None:
    est = estimate(inventory(e.log_group("/g/fn", 30), e.function("fn", "/g/fn"), e.log_group("/g/forever", None)),
                   PRICES, dataclasses.replace(NO_TRAFFIC, log_gb_per_function_month=2, log_gb_per_other_group_month=1,
                                               months_kept_without_retention=12))
    days = 730 / 24
    stored = 2 / days * 30 + 1 * 12
    assert line(est, "logs") == round((2 + 1) * 0.5 + stored * 0.03, 6)


def test_custom_metrics_count_what_dashboards_and_alarms_read_outside_aws_namespaces() -> None:
    widget = {"type": "metric", "x": 0, "y": 0, "width": 6, "height": 6, "properties": {
        "region": "us-east-1", "period": 300, "metrics": [["platform/dev", "EventsShipped", "Service", "log-shipping"],
                                                          ["AWS/Lambda", "Errors", "FunctionName", "fn"]]}}
    est = estimate(inventory(e.dashboard("d", [widget]), e.function("fn", "/g/fn")), PRICES,
                   dataclasses.replace(NO_TRAFFIC, custom_metrics_per_function=2))
    assert line(est, "metrics") == round((1 + 2) * 0.3, 6)


def test_an_unpriced_instance_type_is_named() -> None:
    with pytest.raises(CostInputError, match="'x9.huge.search'"):
        estimate(inventory(e.domain("logs", "x9.huge.search", 1, 10)), PRICES)


def test_assumptions_are_printed_and_overridable() -> None:
    assumptions = Assumptions.with_overrides({"requests_per_second_per_api": "50", "custom_metrics_per_function": "4"})
    assert (assumptions.requests_per_second_per_api, assumptions.custom_metrics_per_function) == (50.0, 4)
    with pytest.raises(CostInputError, match="unknown assumption 'rps'"):
        Assumptions.with_overrides({"rps": "1"})
    with pytest.raises(CostInputError, match="must not be negative"):
        Assumptions(log_gb_per_function_month=-1)
    text = cost_markdown(estimate(inventory(e.dashboard("d")), PRICES, assumptions))
    assert "50 requests per second" in text and "taken on 2026-01-01" in text and "https://aws.amazon.com/cloudwatch/pricing/" in text
    assert json.loads(cost_json(estimate(inventory(e.dashboard("d")), PRICES)))["total_monthly"] == 3.0


@given(st.integers(0, 40), st.integers(0, 40), st.integers(1, 3650), st.integers(1, 3650))
def test_more_alarms_or_longer_retention_never_cost_less(alarms_a, extra, days_a, more_days) -> None:
    def stack(alarms: int, days: int) -> float:
        return estimate(inventory(*(e.alarm(f"a{i}") for i in range(alarms)), e.log_group("/g", days)),
                        PRICES, Assumptions()).total
    assert stack(alarms_a + extra, days_a) >= stack(alarms_a, days_a)
    assert stack(alarms_a, days_a + more_days) > stack(alarms_a, days_a)


@given(st.floats(0, 1000), st.integers(0, 100), st.floats(0, 1), st.floats(0, 1))
def test_sampling_more_never_traces_less(rps, reservoir, rate, more) -> None:
    higher = min(1.0, rate + more)
    assert sampled_per_second(rps, reservoir, higher) >= sampled_per_second(rps, reservoir, rate)
    assert sampled_per_second(rps, reservoir, rate) <= rps + 1e-9
