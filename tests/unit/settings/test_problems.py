"""Every problem at once, each value shown as written, and the limits AWS enforces at deploy time."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.settings import SettingsError, config_problems, load_settings
from components.settings.loader import (ALARM_WINDOW_LIMIT_SECONDS, SHORT_PERIOD_WINDOW_LIMIT_SECONDS, Problem,
                                        shown)
from components.settings.schema import ALARM_PERIODS, KEYS, KEYS_BY_NAME, Invalid

BROKEN = "??"


def config(**values: str) -> dict[str, str]:
    return {f"platform:{key}": value for key, value in values.items()}


def keys_of(problems: list[Problem]) -> set[str]:
    return {problem.key.removeprefix("platform:") for problem in problems}


def rejects(key_name: str, text: str) -> bool:
    try:
        KEYS_BY_NAME[key_name].parse(text)
    except Invalid:
        return True
    return False


def test_a_per_key_problem_does_not_hide_a_cross_key_problem():
    """The issue's example: before, only lambdaMemoryMb was reported."""
    error_keys = keys_of(config_problems(config(lambdaMemoryMb="64", alarmEvaluationPeriods="2",
                                                alarmDatapointsToAlarm="3")))
    assert error_keys == {"lambdaMemoryMb", "alarmDatapointsToAlarm"}


CROSS = {"alarmDatapointsToAlarm", "alarmEvaluationPeriods"}
BREAKABLE = sorted(key.name for key in KEYS if key.name not in CROSS and rejects(key.name, BROKEN))


@settings(max_examples=150, deadline=None)
@given(st.sets(st.sampled_from(BREAKABLE), max_size=12))
def test_any_set_of_bad_keys_is_reported_together_with_the_cross_key_problem(broken):
    cfg = {**config(**{name: BROKEN for name in broken}), **config(alarmEvaluationPeriods="2", alarmDatapointsToAlarm="3")}
    assert keys_of(config_problems(cfg)) == set(broken) | {"alarmDatapointsToAlarm"}


def test_a_cross_key_rule_is_skipped_only_when_one_of_its_keys_did_not_parse():
    assert keys_of(config_problems(config(alarmEvaluationPeriods=BROKEN, alarmDatapointsToAlarm="3"))) == {
        "alarmEvaluationPeriods"}


# ---------------------------------------------------------------- values as written


def test_every_value_is_shown_the_same_way_as_it_was_written():
    """Before: '60' for a per-key problem, 9 and 5.0 for cross-key ones."""
    error = str(pytest.raises(SettingsError, load_settings, "dev", config(
        lambdaTimeoutSeconds="60", alarmEvaluationPeriods="9", alarmDatapointsToAlarm="12",
        alarmApi5xxRateWarningPct="5", alarmApi5xxRateCriticalPct="1.50")).value)
    for value in ('"60"', '"12"', '"1.50"'):
        assert f"= {value} is not valid" in error
    lines = [line for line in error.splitlines() if line.startswith("  - ")]
    assert len(lines) == 3 and all(re.search(r' = "[^"]*" is not valid; allowed: ', line) for line in lines)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([key.name for key in KEYS if not key.secret]), st.text(max_size=20))
def test_any_rejected_value_appears_verbatim_in_double_quotes(name, text):
    problems = [p for p in config_problems(config(**{name: text})) if p.key == f"platform:{name}"]
    if rejects(name, text):
        (problem,) = problems
        assert f"= {json.dumps(text, ensure_ascii=False)} is not valid" in problem.render("dev")


def test_undecodable_command_line_bytes_are_shown_as_escapes():
    text = b"5\xff".decode("utf-8", "surrogateescape")  # what argv holds for invalid UTF-8
    rendered = config_problems(config(lambdaMemoryMb=text))[0].render("dev")
    rendered.encode("utf-8")
    assert shown(text) == '"5\\\\udcff"' and shown(text) in rendered


def test_secret_values_are_never_shown():
    (problem,) = config_problems(config(alarmEmailsWarning="not-an-email, ops@example.com"))
    assert "not-an-email" not in problem.render("dev") and "[secret]" in problem.render("dev")


# ---------------------------------------------------------------- CloudWatch alarm windows


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALARM_PERIODS), st.integers(min_value=1, max_value=100))
def test_alarm_window_is_accepted_exactly_when_cloudwatch_accepts_it(period, periods):
    limit = SHORT_PERIOD_WINDOW_LIMIT_SECONDS if period < 3600 else ALARM_WINDOW_LIMIT_SECONDS
    found = config_problems(config(alarmPeriodSeconds=str(period), alarmEvaluationPeriods=str(periods),
                                   alarmDatapointsToAlarm="1"))
    assert (found == []) == (period * periods <= limit)
    if found:
        (problem,) = found
        assert problem.key == "platform:alarmEvaluationPeriods" and f"at most {limit // period}" in problem.allowed
        assert "86,400 s" in problem.allowed


@pytest.mark.parametrize("periods,ok", [(96, True), (97, False), (100, False)])
def test_fifteen_minute_periods_stop_at_one_day(periods, ok):
    """900 x 100 was accepted before, and PutMetricAlarm refuses it."""
    assert (config_problems(config(alarmPeriodSeconds="900", alarmEvaluationPeriods=str(periods))) == []) == ok


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10, max_value=100_000))
def test_only_minute_multiples_the_platform_offers_are_alarm_periods(period):
    found = config_problems(config(alarmPeriodSeconds=str(period)))
    assert (found == []) == (period in ALARM_PERIODS)
    if period in (10, 20, 30):
        assert "never gets data" in found[0].allowed


# ---------------------------------------------------------------- OpenSearch Multi-AZ with Standby

STANDBY = dict(opensearchMultiAzWithStandby="true", opensearchAvailabilityZones="3",
               opensearchDedicatedMasterCount="3", opensearchInstanceType="r7g.large.search")


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=5), st.sampled_from([3, 6, 9, 12]))
def test_standby_domains_take_only_index_copies_in_multiples_of_three(replicas, nodes):
    found = keys_of(config_problems(config(**STANDBY, opensearchInstanceCount=str(nodes),
                                           opensearchReplicas=str(replicas))))
    assert ("opensearchReplicas" not in found) == ((replicas + 1) % 3 == 0 and replicas <= nodes - 1)


def test_without_standby_replicas_need_not_be_a_multiple():
    assert config_problems(config(opensearchInstanceCount="2", opensearchReplicas="1")) == []


def test_the_standby_message_says_which_values_work():
    (problem,) = config_problems(config(**STANDBY, opensearchInstanceCount="3", opensearchReplicas="1"))
    assert problem.key == "platform:opensearchReplicas" and problem.allowed.startswith("2 or 5")
