"""Reading a metric widget's rows the way CloudWatch does, and refusing what the views would guess at."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.observability.dashboard.widgets import metric_widget
from components.observability.model import MetricQuery, MetricStat
from components.preview.views.metric_rows import UnknownMetricShape, graph_lines, metrics_behind, referenced_ids
from components.reports.inventory import MetricKey

ERRORS = MetricStat("AWS/Lambda", "Errors", (("FunctionName", "fn"),), "Sum", 300)
CALLS = MetricStat("AWS/Lambda", "Invocations", (("FunctionName", "fn"),), "Sum", 300)


def test_rows_take_the_widgets_stat_and_period_unless_they_say_otherwise() -> None:
    props = metric_widget("w", [ERRORS, MetricStat("AWS/Lambda", "Duration", (("FunctionName", "fn"),), "p99", 60)],
                          "eu-west-1", stat="Sum", period=300)["properties"]
    plain, p99 = graph_lines(props)
    assert (plain.stat, plain.period, plain.label, plain.id) == ("Sum", 300, "Errors", "m1")
    assert (p99.stat, p99.period) == ("p99", 60)
    assert plain.metric == MetricKey("AWS/Lambda", "Errors", (("FunctionName", "fn"),))
    assert plain.describe() == "AWS/Lambda Errors (FunctionName=fn) · Sum · 300 s"


def test_expressions_and_hidden_inputs() -> None:
    props = metric_widget("w", [MetricQuery("errors", metric=ERRORS, label="Errors"), MetricQuery("calls", metric=CALLS),
                                MetricQuery("rate", expression="100 * errors / calls", label="Error rate")],
                          "eu-west-1", stat="Sum")["properties"]
    errors, calls, rate = graph_lines(props)
    assert calls.visible is False and errors.visible and rate.expression == "100 * errors / calls"
    assert metrics_behind(rate, [errors, calls, rate]) == {errors.metric, calls.metric}
    assert referenced_ids("IF(calls >= 10, 100 * errors / calls, 0)") == {"calls", "errors"}


@pytest.mark.parametrize(("row", "reason"), [
    ([".", "Errors", "FunctionName", "fn"], "shorthand"),
    (["...", {"stat": "p90"}], "shorthand"),
    (["AWS/Lambda", "Errors", "FunctionName"], "name/value"),
    (["AWS/Lambda", 5], "name/value"),
    ([{"expression": "SEARCH('{AWS/Lambda} Errors', 'Sum')", "id": "s"}], "search"),
    ([{"label": "x"}], "must carry an expression"),
    (["AWS/Lambda", "Errors", {"expression": "1", "id": "e"}], "not both"),
    (["AWS/Lambda", "Errors", {"stat": "Sum", "colour": "#fff"}], "unknown row options"),
    (["AWS/Lambda", "Errors", {"id": "Bad"}], "query id"),
    (["AWS/Lambda", "Errors", {"period": 0}], "period"),
    ([], "non-empty"),
])
def test_unknown_shapes_are_refused_with_the_row_and_the_reason(row, reason) -> None:
    with pytest.raises(UnknownMetricShape, match=reason) as info:
        graph_lines({"metrics": [["AWS/Lambda", "Errors"], row], "period": 300})
    assert str(info.value).startswith("metrics[1]") or "non-empty" in reason


# "." and "..." are CloudWatch's repeat-the-previous-row shorthands, never a name.
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_./", min_size=1, max_size=20).filter(
    lambda s: s not in {".", "..."})


@given(st.lists(st.tuples(names, names, st.lists(st.tuples(names, names), max_size=3),
                          st.sampled_from(["Sum", "Average", "p99", "Maximum"]), st.sampled_from([60, 300, 3600])),
                min_size=1, max_size=12))
def test_any_row_the_builders_write_reads_back_as_the_same_metric(specs) -> None:
    stats = [MetricStat(ns, name, tuple(dims), stat, period) for ns, name, dims, stat, period in specs]
    lines = graph_lines(metric_widget("w", stats, "eu-west-1", stat="Sum", period=300)["properties"])
    assert [(l.metric, l.stat, l.period) for l in lines] == [
        (MetricKey.of(s.namespace, s.metric_name, s.dimensions), s.stat, s.period) for s in stats]
    assert len({l.id for l in lines}) == len(lines)
