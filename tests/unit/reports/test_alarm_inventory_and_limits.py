"""The alarm inventory lists every alarm with what an on-call engineer needs; the limit checks name the culprit."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.observability.dashboard.widgets import text_widget
from components.reports.alarm_inventory import alarm_inventory_markdown, alarm_names_in
from components.reports.inventory import StackInventory
from components.reports.limits import LimitError, ensure_within_limits, stack_limit_problems
from tests.unit.reports import entries as e


def inventory(*entries: dict, stack: str = "dev") -> StackInventory:
    return StackInventory.from_entries(stack, "us-east-1", list(entries))


def test_every_alarm_has_a_row_with_all_columns() -> None:
    stack = inventory(e.alarm("platform-dev-orders-errors", threshold=5, severity="critical",
                              description="Too many errors | really. Check first: the errors query; then traces."),
                      e.alarm("platform-dev-orders-rate", math_metrics=2), e.composite("platform-dev-orders-health", ["a", "b"]),
                      e.entry("aws:sns/topicSubscription:TopicSubscription", "sub", topic=e.TOPIC, endpoint="[secret]"))
    text = alarm_inventory_markdown(stack)
    row = next(line for line in text.splitlines() if line.startswith("| `platform-dev-orders-errors`"))
    assert row == ("| `platform-dev-orders-errors` | orders | FunctionName=fn | AWS/Lambda Errors | Sum | 60 s, 3 of 5 | ≥ 5 "
                   "| critical | SNS platform-dev-alarms-warning (1 subscriptions) | the errors query; then traces. |")
    math = next(line for line in text.splitlines() if line.startswith("| `platform-dev-orders-rate`"))
    assert "sum: `m0 + 1` over AWS/Lambda M0, AWS/Lambda M1" in math
    assert "| `platform-dev-orders-health` | orders | any of 2 alarms in ALARM |" in text
    assert alarm_names_in(text) == ["platform-dev-orders-errors", "platform-dev-orders-rate", "platform-dev-orders-health"]


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.:/ ()|\\", min_size=1, max_size=255).filter(
    lambda s: s.strip() == s), unique=True, max_size=20))
def test_the_names_read_back_from_an_inventory_are_its_alarms(names) -> None:
    text = alarm_inventory_markdown(inventory(*(e.alarm(n) for n in names)))
    assert sorted(alarm_names_in(text)) == sorted(names)


def test_alarm_names_must_be_unique_across_stacks() -> None:
    dev = inventory(e.alarm("shared-name"), e.alarm("dev-only"))
    problems = stack_limit_problems(dev, {"prod": ["shared-name", "prod-only"], "dev": ["shared-name"]})
    assert problems == ["alarm name 'shared-name' is also used by stack prod; alarm names are unique per account and "
                        "region, so one stack would overwrite the other's alarm"]
    assert "used 2 times in stack dev" in " ".join(stack_limit_problems(inventory(e.alarm("x"), e.alarm("x"))))


@pytest.mark.parametrize(("name", "problem"), [("x" * 256, "256 characters"), ("bad\tname", "U+0009")])
def test_alarm_name_rules(name, problem) -> None:
    with pytest.raises(LimitError) as info:
        ensure_within_limits(inventory(e.alarm(name)))
    assert problem in str(info.value) and str(info.value).startswith("stack dev breaks CloudWatch limits")


def test_a_dashboard_over_the_widget_limit_is_named() -> None:
    widgets = [{**text_widget("## part", width=1, height=1), "x": i % 24, "y": i // 24} for i in range(501)]
    with pytest.raises(LimitError) as info:
        ensure_within_limits(inventory(e.dashboard("platform-dev-big-dashboard", widgets), e.dashboard("bad name!")))
    message = str(info.value)
    assert "dashboard platform-dev-big-dashboard: 501 widgets; CloudWatch allows at most 500" in message
    assert "dashboard name 'bad name!' has characters ' !'" in message
