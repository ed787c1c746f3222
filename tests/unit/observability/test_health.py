from __future__ import annotations

import pytest

from components.observability.health import (
    MAX_ALARM_RULE_CHARS,
    AlarmRuleTooLargeError,
    health_alarm_description,
    health_alarm_rule,
)


def test_rule_ors_alarm_states_in_order_without_duplicates() -> None:
    assert health_alarm_rule(["a", "b", "a"]) == 'ALARM("a") OR ALARM("b")'


def test_rule_needs_names_and_rejects_quotes() -> None:
    with pytest.raises(ValueError):
        health_alarm_rule([])
    with pytest.raises(ValueError, match="quoted"):
        health_alarm_rule(['bad"name'])


def test_more_than_100_alarms_fails_loudly() -> None:
    with pytest.raises(AlarmRuleTooLargeError, match="100"):
        health_alarm_rule([f"a{i}" for i in range(101)])
    assert health_alarm_rule([f"a{i}" for i in range(100)]).count("ALARM(") == 100


def test_rule_longer_than_limit_fails_loudly() -> None:
    names = [f"{i:03d}-" + "x" * 120 for i in range(90)]
    with pytest.raises(AlarmRuleTooLargeError, match=str(MAX_ALARM_RULE_CHARS)):
        health_alarm_rule(names)


def test_health_description_has_runbook() -> None:
    text = health_alarm_description("orders", "prod")
    assert "orders" in text and "Check first" in text and len(text) <= 1024
