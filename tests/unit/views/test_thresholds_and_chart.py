"""Alarm thresholds land on the graphs that plot the alarm's metrics; the chart draws them at the right height."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.observability.dashboard.widgets import metric_widget
from components.observability.lambda_.alarms import lambda_alarms
from components.observability.lambda_.widgets import lambda_widgets
from components.observability.model import MetricStat
from components.observability.refs import LambdaRef
from components.observability.thresholds import RECOMMENDED_THRESHOLDS
from components.preview.views.metric_rows import graph_lines
from components.preview.views.svg_chart import ReferenceLine, Series, TimeWindow, chart_svg, nice_ticks
from components.preview.views.thresholds import thresholds_for
from components.reports.inventory import Alarm, MetricKey, StackInventory
from components.resources.alarms import _metric_args  # the emitter's own mapping, so the test sees deployed inputs

FN = LambdaRef("platform-dev-orders-api", 10, "/platform/dev/orders/lambda-api", reserved_concurrency=50, part="api")


def deployed_alarms() -> list[Alarm]:
    """The Lambda alarm specs as the inventory records them (camelCase inputs), read back."""
    entries = []
    for spec in lambda_alarms(FN, RECOMMENDED_THRESHOLDS):
        inputs = {"name": f"platform-dev-orders-{spec.key}", "threshold": spec.threshold,
                  "comparisonOperator": spec.comparison, "tags": {"platform:severity": spec.severity.value},
                  "evaluationPeriods": spec.evaluation_periods, "datapointsToAlarm": spec.datapoints_to_alarm}
        if spec.metric is not None:
            args = _metric_args(spec.metric)
            inputs.update(namespace=args["namespace"], metricName=args["metric_name"], period=args["period"],
                          dimensions=args["dimensions"], statistic=args.get("statistic"),
                          extendedStatistic=args.get("extended_statistic"))
        else:
            inputs["metricQueries"] = [
                {"id": q.id, "expression": q.expression, "label": q.label, "returnData": q.return_data,
                 **({"metric": {"namespace": q.metric.namespace, "metricName": q.metric.metric_name,
                                "period": q.metric.period, "stat": q.metric.stat,
                                "dimensions": dict(q.metric.dimensions)}} if q.metric else {})}
                for q in spec.queries]
        entries.append({"type": "aws:cloudwatch/metricAlarm:MetricAlarm", "name": spec.key, "parent": None,
                        "inputs": inputs})
    return list(StackInventory.from_entries("dev", "eu-west-1", entries).alarms)


def test_each_lambda_graph_gets_the_thresholds_of_its_alarms() -> None:
    alarms = deployed_alarms()
    by_title = {w["properties"]["title"]: thresholds_for(graph_lines(w["properties"]), alarms)
                for w in lambda_widgets(FN, "eu-west-1")}
    def labels(title: str) -> list[str]:
        return [t.label for t in by_title[title]]
    assert labels("platform-dev-orders-api: errors") == ["warning Error rate (%) ≥ 1", "critical Error rate (%) ≥ 5"]
    assert labels("platform-dev-orders-api: duration") == ["warning p99 Duration ≥ 8000", "critical p99 Duration ≥ 9500"]
    assert labels("platform-dev-orders-api: throttles") == ["warning Sum Throttles ≥ 1", "critical Sum Throttles ≥ 10"]
    assert labels("platform-dev-orders-api: concurrency") == ["warning Maximum ConcurrentExecutions ≥ 45"]
    assert labels("platform-dev-orders-api: invocations") == []


def test_a_rate_alarm_stays_off_a_graph_that_shows_only_one_of_its_inputs() -> None:
    errors_only = metric_widget("errors", [MetricStat("AWS/Lambda", "Errors", (("FunctionName", FN.function_name),),
                                                      "Sum", 300)], "eu-west-1")
    assert thresholds_for(graph_lines(errors_only["properties"]), deployed_alarms()) == []


def test_dimension_order_does_not_matter() -> None:
    assert MetricKey.of("N", "M", {"b": "2", "a": "1"}) == MetricKey.of("N", "M", [("a", "1"), ("b", "2")])


@given(st.floats(-1e9, 1e9), st.floats(0, 1e9))
def test_ticks_cover_the_range_in_round_steps(low, span) -> None:
    ticks = nice_ticks(low, low + span)
    assert ticks[0] <= low + 1e-6 * max(1, abs(low)) and ticks[-1] >= low + span - 1e-6 * max(1, abs(low + span))
    steps = {round(b - a, 6) for a, b in zip(ticks, ticks[1:])}
    assert len(ticks) >= 2 and len(steps) <= 2  # equal steps, up to float rounding


def test_reference_lines_and_series_are_drawn_where_their_values_are() -> None:
    window = TimeWindow(0, 3600, live=True)
    svg = chart_svg(400, 200, window, [Series("a", "#000", ((0, 0), (1800, 50), (3600, 100)))],
                    [ReferenceLine(100, "critical x ≥ 100", "#d62728"), ReferenceLine(50, "warning x ≥ 50", "#e07b00")])
    lines = {float(y) for y in re.findall(r'class="reference" x1="\d+" x2="[\d.]+" y1="([\d.]+)"', svg)}
    points = re.search(r' points="([^"]+)"', svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[0] > ys[1] > ys[2] and ys[1] in lines and ys[2] in lines  # higher values are higher up
    assert 'data-points="3"' in svg and "critical x ≥ 100" in svg


def test_without_data_the_note_and_the_thresholds_are_still_drawn() -> None:
    svg = chart_svg(400, 200, TimeWindow(-6 * 3600, 0, live=False), [Series("a", "#000", ())],
                    [ReferenceLine(7000, "warning", "#e07b00")], empty_note="no data offline")
    assert "no data offline" in svg and 'class="reference"' in svg and "-6h" in svg and "now" in svg
    assert "polyline" not in svg
