from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.observability.dashboard.layout import (
    DashboardValidationError,
    dashboard_body,
    dashboard_name_problems,
    pack_sections,
    place,
    render_dashboard_body,
    validate_dashboard_body,
)
from components.observability.dashboard.widgets import metric_widget, text_widget
from components.observability.model import MetricStat

STAT = MetricStat("AWS/Lambda", "Errors", (("FunctionName", "fn"),), "Sum", 300)


def _metric(**overrides):
    widget = {**metric_widget("m", [STAT], "eu-west-1"), "x": 0, "y": 0}
    widget.update(overrides)
    return widget


def _problems(body) -> str:
    with pytest.raises(DashboardValidationError) as info:
        validate_dashboard_body(body)
    return str(info.value)


def test_valid_body_passes() -> None:
    validate_dashboard_body(dashboard_body(place([_metric(), text_widget("t")]), start="-PT6H", period_override="auto"))


def test_rejects_more_than_500_widgets() -> None:
    widgets = place([text_widget("t", width=1, height=1) for _ in range(501)])
    assert "501 widgets" in _problems({"widgets": widgets})


def test_rejects_overflowing_x_plus_width() -> None:
    assert "overflows" in _problems({"widgets": [_metric(x=20, width=8)]})


@pytest.mark.parametrize(
    ("field", "value"),
    [("width", 0), ("width", 25), ("height", 0), ("height", 1001), ("x", -1), ("y", -3), ("x", 1.5), ("width", "6"), ("height", True)],
)
def test_rejects_bad_sizes(field, value) -> None:
    assert field in _problems({"widgets": [_metric(**{field: value})]})


def test_rejects_metric_widget_without_region() -> None:
    widget = _metric()
    del widget["properties"]["region"]
    assert "no region" in _problems({"widgets": [widget]})


def test_rejects_log_widget_without_region() -> None:
    widget = {"type": "log", "x": 0, "y": 0, "width": 24, "height": 6, "properties": {"query": "SOURCE '/a' | fields @message"}}
    assert "no region" in _problems({"widgets": [widget]})


@pytest.mark.parametrize(
    "row",
    [
        [],
        ["AWS/Lambda"],
        ["AWS/Lambda", "Errors", "FunctionName"],
        ["AWS/Lambda", "Errors", {"stat": "Sum"}, "FunctionName", "fn"],
        ["AWS/Lambda", 3],
        [{"label": "no expression"}],
        "AWS/Lambda Errors",
    ],
)
def test_rejects_malformed_metric_rows(row) -> None:
    widget = _metric()
    widget["properties"]["metrics"] = [row]
    assert "metrics[0]" in _problems({"widgets": [widget]})


def test_rejects_empty_metrics_unknown_type_overlap_and_missing_widgets() -> None:
    widget = _metric()
    widget["properties"]["metrics"] = []
    assert "non-empty metrics" in _problems({"widgets": [widget]})
    assert "unknown type" in _problems({"widgets": [_metric(type="graph")]})
    assert "overlaps widget 0" in _problems({"widgets": [_metric(), _metric(x=6)]})
    assert "widgets array" in _problems({})
    assert "periodOverride" in _problems({"widgets": [], "periodOverride": "sometimes"})


def test_all_problems_reported_at_once() -> None:
    err = _problems({"widgets": [_metric(x=20, width=8), _metric(y=10, height=0)]})
    assert "widget 0" in err and "widget 1" in err


def test_place_wraps_rows_by_tallest_widget() -> None:
    widgets = [text_widget("a", width=12, height=3), text_widget("b", width=8, height=6), text_widget("c", width=8, height=2)]
    assert [(w["x"], w["y"]) for w in place(widgets)] == [(0, 0), (12, 0), (0, 6)]


def test_sections_start_on_new_rows() -> None:
    placed = pack_sections([[text_widget("a", width=6, height=2)], [], [text_widget("b", width=6, height=2)]])
    assert [(w["x"], w["y"]) for w in placed] == [(0, 0), (0, 2)]


def test_place_does_not_mutate_inputs() -> None:
    widgets = [text_widget("a")]
    before = copy.deepcopy(widgets)
    place(widgets)
    assert widgets == before


def test_render_is_canonical_json() -> None:
    body = dashboard_body(place([text_widget("a")]))
    assert render_dashboard_body(body) == render_dashboard_body(copy.deepcopy(body))
    assert render_dashboard_body(body).startswith('{"widgets":[{"height":2,')


def test_period_override_values_checked() -> None:
    with pytest.raises(ValueError):
        dashboard_body([], period_override="never")


sizes = st.lists(st.tuples(st.integers(1, 24), st.integers(1, 12)), min_size=0, max_size=60)


@settings(max_examples=150, deadline=None)
@given(sizes)
def test_placement_properties(dims) -> None:
    widgets = [text_widget(f"w{i}", width=w, height=h) for i, (w, h) in enumerate(dims)]
    placed = place(widgets)
    validate_dashboard_body({"widgets": placed})  # in grid, integer sizes, no overlap
    assert place(widgets) == placed  # deterministic
    order = sorted(range(len(placed)), key=lambda i: (placed[i]["y"], placed[i]["x"]))
    assert order == list(range(len(placed)))  # reading order = input order


@settings(max_examples=50, deadline=None)
@given(st.lists(sizes, max_size=5))
def test_sections_never_overlap(section_dims) -> None:
    sections = [[text_widget("s", width=w, height=h) for w, h in dims] for dims in section_dims]
    validate_dashboard_body({"widgets": pack_sections(sections)})


def test_render_indented_for_committed_files() -> None:
    text = render_dashboard_body(dashboard_body([]), indent=2)
    assert text == '{\n  "widgets": []\n}'


def _metric_with_rows(count: int, **options):
    widget = _metric()
    widget["properties"]["metrics"] = [["AWS/Lambda", "Errors", "FunctionName", f"fn{i}", dict(options)] if options
                                       else ["AWS/Lambda", "Errors", "FunctionName", f"fn{i}"] for i in range(count)]
    return widget


def test_metrics_per_widget_limit_counts_hidden_rows_and_names_the_widget() -> None:
    validate_dashboard_body({"widgets": [_metric_with_rows(500)]})
    err = _problems({"widgets": [_metric_with_rows(501, visible=False)]})
    assert 'widget 0 ("m"): 501 metrics' in err and "at most 500 per widget" in err


def test_metrics_per_dashboard_limit() -> None:
    widgets = place([_metric_with_rows(500) for _ in range(5)])
    validate_dashboard_body({"widgets": widgets})
    widgets = place([*widgets, _metric_with_rows(1)])
    assert "2501 metrics across all widgets" in _problems({"widgets": widgets})


def test_expressions_are_not_counted_but_checked() -> None:
    widget = _metric_with_rows(500)
    widget["properties"]["metrics"].append([{"expression": "SUM(METRICS())", "id": "total"}])
    validate_dashboard_body({"widgets": [widget]})
    widget["properties"]["metrics"].append([{"expression": "x" * 2049, "id": "long"}])
    widget["properties"]["metrics"].append(["AWS/Lambda", "Errors", {"id": "Bad-id"}])
    err = _problems({"widgets": [widget]})
    assert "2049 characters" in err and "'Bad-id' must start with a lowercase letter" in err


def test_the_dashboard_name_and_the_text_widget_heading_are_in_the_message() -> None:
    widget = {**text_widget("## Lambda fn\nmore"), "x": 20, "y": 0, "width": 8}
    with pytest.raises(DashboardValidationError) as info:
        validate_dashboard_body({"widgets": [widget]}, name="platform-dev-orders-dashboard")
    assert str(info.value).startswith("dashboard platform-dev-orders-dashboard is invalid:")
    assert 'widget 0 ("Lambda fn"): x + width' in str(info.value)
    assert info.value.dashboard == "platform-dev-orders-dashboard"


@pytest.mark.parametrize(("name", "problem"), [
    ("", "non-empty"), ("a" * 256, "256 characters"), ("platform dev", "' '"), ("café/x", "'/é'"), (None, "non-empty")])
def test_dashboard_name_problems(name, problem) -> None:
    assert problem in " ".join(dashboard_name_problems(name))


@given(st.text(alphabet="abcXYZ019-_", min_size=1, max_size=255))
def test_names_of_allowed_characters_pass(name) -> None:
    assert dashboard_name_problems(name) == []
