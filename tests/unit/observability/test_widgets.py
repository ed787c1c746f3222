from __future__ import annotations

import pytest

from components.observability.dashboard.widgets import (
    HorizontalAnnotation,
    alarm_status_widget,
    log_insights_query,
    log_insights_widget,
    metric_row,
    metric_widget,
    text_widget,
)
from components.observability.model import MetricQuery, MetricStat

DURATION = MetricStat("AWS/Lambda", "Duration", (("FunctionName", "fn"),), "p99", 300)


def test_metric_row_writes_dimensions_and_only_differing_options() -> None:
    assert metric_row(DURATION, widget_stat="p99", widget_period=300) == ["AWS/Lambda", "Duration", "FunctionName", "fn"]
    assert metric_row(DURATION, widget_stat="Average", widget_period=60) == [
        "AWS/Lambda", "Duration", "FunctionName", "fn", {"stat": "p99", "period": 300}]


def test_expression_rows_and_hidden_inputs() -> None:
    widget = metric_widget(
        "errors",
        [
            MetricQuery(id="errors", metric=DURATION),
            MetricQuery(id="shown", metric=DURATION, label="shown"),
            MetricQuery(id="rate", expression="100 * errors / shown", label="Rate"),
        ],
        "eu-west-1",
        stat="p99",
    )
    rows = widget["properties"]["metrics"]
    assert rows[0][-1] == {"id": "errors", "visible": False}
    assert rows[1][-1] == {"id": "shown", "label": "shown"}
    assert rows[2] == [{"expression": "100 * errors / shown", "id": "rate", "label": "Rate"}]


def test_metric_widget_carries_region_axis_and_annotations() -> None:
    widget = metric_widget(
        "d", [DURATION], "eu-west-1", period=60, width=8, height=5,
        y_axis={"left": {"min": 0}}, annotations=[HorizontalAnnotation("timeout", 10_000, "#d62728")],
    )
    props = widget["properties"]
    assert (widget["type"], widget["width"], widget["height"]) == ("metric", 8, 5)
    assert props["region"] == "eu-west-1"
    assert props["yAxis"] == {"left": {"min": 0}}
    assert props["annotations"] == {"horizontal": [{"label": "timeout", "value": 10_000, "color": "#d62728"}]}
    assert "x" not in widget


def test_metric_widget_needs_metrics() -> None:
    with pytest.raises(ValueError):
        metric_widget("empty", [], "eu-west-1")


def test_log_widget_names_sources_inline() -> None:
    assert log_insights_query(["/a", "/b"], "fields @message") == "SOURCE '/a' | SOURCE '/b' | fields @message"
    widget = log_insights_widget(["/a"], "fields @message", "eu-west-1", "t")
    assert widget["properties"]["region"] == "eu-west-1"
    with pytest.raises(ValueError):
        log_insights_query([], "x")


def test_alarm_widget_limits() -> None:
    widget = alarm_status_widget(["arn:1", "arn:2"], "alarms")
    assert widget["properties"]["alarms"] == ["arn:1", "arn:2"]
    with pytest.raises(ValueError):
        alarm_status_widget([], "alarms")
    with pytest.raises(ValueError):
        alarm_status_widget([f"arn:{i}" for i in range(101)], "alarms")


def test_text_widget() -> None:
    assert text_widget("# hi") == {"type": "text", "width": 24, "height": 2, "properties": {"markdown": "# hi"}}


def test_alarm_widget_height_grows_with_alarm_count() -> None:
    assert alarm_status_widget(["a"], "t")["height"] == 3
    assert alarm_status_widget([f"a{i}" for i in range(40)], "t")["height"] == 12
    assert alarm_status_widget([f"a{i}" for i in range(100)], "t")["height"] == 20


def test_log_shipping_lag_widget_annotates_thresholds(shipping) -> None:
    from components.observability.log_shipping.widgets import log_shipping_widgets
    from components.observability.model import SeverityThresholds

    lag = [w for w in log_shipping_widgets(shipping, "eu-west-1", lag_thresholds=SeverityThresholds(60_000, None))
           if w["properties"]["title"] == "log shipping: lag (max, ms)"][0]
    assert lag["properties"]["annotations"]["horizontal"] == [{"label": "warning", "value": 60_000.0, "color": "#ff7f0e"}]
    plain = [w for w in log_shipping_widgets(shipping, "eu-west-1") if w["properties"]["title"] == "log shipping: lag (max, ms)"][0]
    assert "annotations" not in plain["properties"]
