"""Invariants every alarm spec must satisfy, whatever factory produced it."""

from __future__ import annotations

import dataclasses
import re

import pytest

from components.observability.health import health_alarm_rule
from components.observability.log_shipping.alarms import log_shipping_alarms
from components.observability.model import MAX_DESCRIPTION_CHARS, MAX_METRICS_PER_ALARM, AlarmSpec
from components.observability.opensearch.alarms import opensearch_alarms
from components.observability.refs import QueueRef, RuleRef, StateMachineRef, TopicRef
from components.observability.service_alarms import DuplicateAlarmKeyError, service_alarms

KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
COMPARISONS = {"GreaterThanOrEqualToThreshold", "LessThanOrEqualToThreshold", "LessThanThreshold", "GreaterThanThreshold"}


@pytest.fixture
def every_spec(view, stream, domain, shipping, thresholds) -> list[AlarmSpec]:
    with_stream = dataclasses.replace(
        view,
        lambdas=tuple(dataclasses.replace(fn, invoked_async=True) for fn in view.lambdas),
        streams=(stream,),
        queues=(QueueRef("q", 30, part="q"), QueueRef("q-dlq", 30, is_dead_letter=True, part="q-dlq")),
        topics=(TopicRef("t"),),
        state_machines=(StateMachineRef("m", "arn:aws:states:eu-west-1:123456789012:stateMachine:m"),),
        rules=(RuleRef("r", event_bus_name="bus"),),
    )
    return service_alarms(with_stream, thresholds) + opensearch_alarms(domain) + log_shipping_alarms(shipping, thresholds)


def test_descriptions_fit_and_say_what_to_check_first(every_spec) -> None:
    for spec in every_spec:
        assert len(spec.description) <= MAX_DESCRIPTION_CHARS, spec.key
        assert "Check first" in spec.description, spec.key
        assert spec.summary and "\n" not in spec.summary


def test_keys_are_lowercase_hyphen_and_end_with_severity(every_spec) -> None:
    for spec in every_spec:
        assert KEY.match(spec.key), spec.key
        assert spec.key.endswith(spec.severity.value)


def test_each_spec_is_single_metric_xor_metric_math(every_spec) -> None:
    for spec in every_spec:
        assert (spec.metric is None) != (not spec.queries), spec.key
        assert spec.comparison in COMPARISONS
        assert 1 <= spec.datapoints_to_alarm <= spec.evaluation_periods
        if spec.queries:
            assert sum(q.return_data for q in spec.queries) == 1, spec.key
            assert sum(q.metric is not None for q in spec.queries) <= MAX_METRICS_PER_ALARM
            ids = {q.id for q in spec.queries}
            assert len(ids) == len(spec.queries)
            for q in spec.queries:
                assert re.match(r"^[a-z][a-zA-Z0-9_]*$", q.id), q.id
                assert (q.expression is None) != (q.metric is None)
                if q.expression:
                    assert len(q.expression) <= 2048  # MetricExpression limit
                    referenced = set(re.findall(r"\b[a-z][a-zA-Z0-9_]*\b", q.expression)) - {"IF", "SUM"}
                    assert referenced <= ids, (spec.key, referenced - ids)


def test_service_keys_unique_and_health_rule_fits(view, thresholds) -> None:
    specs = service_alarms(view, thresholds)
    keys = [s.key for s in specs]
    assert len(keys) == len(set(keys))
    names = [f"platform-dev-orders-{k}" for k in keys]
    assert health_alarm_rule(names).count("ALARM(") == len(names)


def test_duplicate_parts_are_reported(view, api_fn, thresholds) -> None:
    clash = dataclasses.replace(view, lambdas=(api_fn, dataclasses.replace(api_fn, function_name="other")))
    with pytest.raises(DuplicateAlarmKeyError, match="lambda-api-errors-warning"):
        service_alarms(clash, thresholds)


def test_every_kind_contributes(every_spec) -> None:
    prefixes = {spec.key.split("-")[0] for spec in every_spec}
    assert {"lambda", "api", "dynamodb", "kinesis", "sqs", "sns", "sfn", "events", "opensearch", "shipping"} <= prefixes


def test_service_alarm_order_is_deterministic(view, thresholds) -> None:
    assert service_alarms(view, thresholds) == service_alarms(view, thresholds)
