"""The HTML views: every widget kind any builder produces is drawn, at its grid position, titles as text."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import components.observability as observability
from components.observability.dashboard.layout import dashboard_body, pack_sections, place
from components.observability.dashboard.overview import overview_dashboard_body
from components.observability.dashboard.service_dashboard import service_dashboard_body
from components.observability.dashboard.widgets import (
    HorizontalAnnotation,
    alarm_status_widget,
    log_insights_widget,
    metric_widget,
    section_header,
    text_widget,
)
from components.observability.model import MetricQuery, MetricStat
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
from components.preview.views.context import ViewContext
from components.preview.views.page import dashboard_html
from components.preview.views.widgets_html import COLUMN_PX, RENDERERS, ROW_PX, WidgetRenderError
from tests.unit.ref_strategies import ref_strategy

CTX = ViewContext(stack="dev", region="eu-west-1")
SECTION = re.compile(r'<section class="widget widget-(\w+)" id="w(\d+)" data-index="\d+" data-type="\w+" '
                     r'data-x="(\d+)" data-y="(\d+)" data-width="(\d+)" data-height="(\d+)" '
                     r'style="grid-column:(\d+) / span (\d+);grid-row:(\d+) / span (\d+)">')


def drawn(html: str) -> list[tuple[str, int, int, int, int]]:
    """(type, x, y, width, height) of every drawn widget, checked against its CSS grid placement."""
    found = []
    for kind, _, x, y, w, h, col, span_w, row, span_h in SECTION.findall(html):
        assert (int(col) - 1, int(span_w), int(row) - 1, int(span_h)) == (int(x), int(w), int(y), int(h))
        found.append((kind, int(x), int(y), int(w), int(h)))
    return found


def assert_fully_drawn(body: dict, html: str) -> None:
    assert drawn(html) == [(w["type"], w["x"], w["y"], w["width"], w["height"]) for w in body["widgets"]]
    text = unescape(html)
    for widget in body["widgets"]:
        if "title" in widget["properties"]:
            assert f'<h3 class="title">{widget["properties"]["title"]}</h3>' in text


def widget_factories() -> list[typing.Callable]:
    """Every public ``*_widgets`` builder of every ``components/observability/<kind>/widgets.py``."""
    found = []
    for module_info in pkgutil.iter_modules(observability.__path__):
        if not module_info.ispkg:
            continue
        try:
            module = importlib.import_module(f"components.observability.{module_info.name}.widgets")
        except ModuleNotFoundError:
            continue
        found += [fn for name, fn in inspect.getmembers(module, inspect.isfunction)
                  if fn.__module__ == module.__name__ and name.endswith("_widgets") and not name.startswith("_")]
    return found


FACTORIES = widget_factories()


def test_the_builders_are_found() -> None:
    names = {fn.__name__ for fn in FACTORIES}
    assert {"lambda_widgets", "rest_api_widgets", "table_widgets", "stream_widgets", "queue_widgets", "topic_widgets",
            "state_machine_widgets", "rule_widgets", "opensearch_widgets", "log_shipping_widgets"} <= names


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda fn: f"{fn.__module__.split('.')[-2]}.{fn.__name__}")
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_widget_builder_renders_for_any_ref(factory, data) -> None:
    ref_type = typing.get_type_hints(factory)[next(iter(inspect.signature(factory).parameters))]
    widgets = factory(data.draw(ref_strategy(ref_type)), "eu-west-1")
    body = dashboard_body(place(widgets))
    assert_fully_drawn(body, dashboard_html("d", body, CTX))


def test_a_widget_of_every_kind_renders() -> None:
    """The kinds the factories can produce: graphs (with math and annotations), text, alarm status, logs."""
    errors = MetricStat("AWS/Lambda", "Errors", (("FunctionName", "fn"),), "Sum", 300)
    calls = MetricStat("AWS/Lambda", "Invocations", (("FunctionName", "fn"),), "Sum", 300)
    widgets = [
        section_header("Lambda fn"),
        metric_widget("fn: errors", [MetricQuery("errors", metric=errors, label="Errors"), MetricQuery("calls", metric=calls),
                                     MetricQuery("rate", expression="100 * errors / calls", label="Error rate (%)")],
                      "eu-west-1", stat="Sum", annotations=[HorizontalAnnotation("limit", 5, "#d62728")],
                      y_axis={"left": {"min": 0, "label": "%"}}),
        text_widget("# Title\n\n- [a link](https://example.com)\n\n| a | b |\n| --- | --- |\n| 1 | 2 |"),
        alarm_status_widget(["arn:aws:cloudwatch:eu-west-1:1:alarm:a", "arn:aws:cloudwatch:eu-west-1:1:alarm:b"], "alarms"),
        log_insights_widget(["/g/a", "/g/b"], "fields @message | limit 5", "eu-west-1", "recent"),
    ]
    body = dashboard_body(place(widgets))
    html = dashboard_html("every-kind", body, CTX)
    assert_fully_drawn(body, html)
    assert {w["type"] for w in widgets} == set(RENDERERS)
    assert "<table>" in html and 'href="https://example.com"' in html
    assert html.count('class="reference"') == 1 and "limit" in html
    assert "<code>/g/a</code>" in html and "fields @message | limit 5" in html and "logs-insights" in html
    assert html.count("NOT DEPLOYED") == 2 and "hidden, feeds an expression" in html


def test_whole_service_and_overview_dashboards_of_every_kind_render() -> None:
    view = ServiceView(
        "everything", "dev", "eu-west-1", "123456789012",
        lambdas=(LambdaRef("fn", 10, "/g/fn", reserved_concurrency=5, part="fn", reads_stream=True),),
        apis=(RestApiRef("api", "v1", "/g/api", part="api"),), tables=(TableRef("t", part="t"),),
        streams=(KinesisRef("s"),), queues=(QueueRef("q", 30), QueueRef("dlq", 30, is_dead_letter=True)),
        topics=(TopicRef("topic"),), state_machines=(StateMachineRef("wf", "arn:aws:states:eu-west-1:1:stateMachine:wf"),),
        rules=(RuleRef("rule", event_bus_name="bus"),), dashboard_name="platform-dev-everything-dashboard")
    for body in (service_dashboard_body(view, ["arn:aws:cloudwatch:eu-west-1:1:alarm:x"]),
                 overview_dashboard_body([view], ["arn:aws:cloudwatch:eu-west-1:1:alarm:h"], None, None)):
        assert_fully_drawn(body, dashboard_html("d", body, CTX))


def test_titles_and_markdown_cannot_inject_markup() -> None:
    widgets = [metric_widget('<script>alert("t")</script>', [MetricStat("N", "M", (), "Sum", 60)], "eu-west-1"),
               text_widget("<img src=x onerror=alert(1)> **bold**")]
    html = dashboard_html("d", dashboard_body(place(widgets)), CTX)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<strong>bold</strong>" in html


@pytest.mark.parametrize(("widget", "reason"), [
    ({"type": "explorer", "properties": {}}, "widget type 'explorer' has no view"),
    ({"type": "metric", "properties": {"title": "odd", "metrics": [[".", "Errors"]], "region": "r"}}, "shorthand"),
    ({"type": "log", "properties": {"title": "q", "query": "fields @message"}}, "names no log group"),
])
def test_a_widget_that_cannot_be_drawn_names_the_dashboard_and_the_widget(widget, reason) -> None:
    body = {"widgets": [{**text_widget("# fine"), "x": 0, "y": 0},
                        {**widget, "x": 0, "y": 2, "width": 6, "height": 6}]}
    with pytest.raises(WidgetRenderError) as info:
        dashboard_html("platform-dev-orders-dashboard", body, CTX)
    assert str(info.value).startswith("dashboard platform-dev-orders-dashboard: widget 1")
    assert reason in str(info.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 24), st.integers(1, 8), st.sampled_from(["metric", "text"])),
                         min_size=1, max_size=6), min_size=1, max_size=6))
def test_any_layout_is_drawn_cell_for_cell(sections) -> None:
    def build(width: int, height: int, kind: str) -> dict:
        if kind == "text":
            return text_widget("t", width=width, height=height)
        return metric_widget("m", [MetricStat("N", "M", (("D", "v"),), "Sum", 60)], "eu-west-1", width=width, height=height)

    body = dashboard_body(pack_sections([[build(*spec) for spec in section] for section in sections]))
    html = dashboard_html("d", body, CTX)
    assert_fully_drawn(body, html)
    rows = max(w["y"] + w["height"] for w in body["widgets"])
    assert f'style="height:{rows * ROW_PX}px"' in html and f"repeat(24,{COLUMN_PX}px)" in html


@given(st.text(alphabet="# abcXYZ019-_./:()*_`[]<>&\\!\"'|~\n", max_size=40))
def test_the_heading_shortcut_writes_what_markdown_it_writes(text) -> None:
    from components.preview.views.widgets_html import _MARKDOWN, markdown_html

    assert markdown_html(text) == _MARKDOWN.render(text)


def test_section_headers_take_the_shortcut() -> None:
    from components.preview.views.widgets_html import _PLAIN_HEADING

    assert _PLAIN_HEADING.match("## Lambda platform-dev-orders-api") and not _PLAIN_HEADING.match("## a *b*")
