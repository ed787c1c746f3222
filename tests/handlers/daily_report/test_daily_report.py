"""The daily report job with the real data extractor behind the Lambda API, against moto."""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.trace import SpanKind

from handlers import boto_clients
from handlers.daily_report.report_text import printable, render
from handlers.daily_report.schedule import InvalidRun, report_day
from handlers.daily_report.summary import DaySales, Figures, InvalidAnswer, Line, day_sales
from tests.handlers.telemetry.helpers import REGION
from tests.harness.aws_resources import receive_all, topic_with_inbox
from tests.harness.cafe_tables import IDEMPOTENCY_TABLE, SALES_TABLE, idempotency_table, sales_table

REPORT = "platform-test-daily-sales-report-job"
EXTRACTOR = "platform-test-data-extractor-function"
PARIS = ZoneInfo("Europe/Paris")
SCHEDULED = {"scheduled_time": "2026-03-15T06:00:00+01:00"}  # reports Saturday 14 March

EXPECTED_REPORT = """Café sales for Saturday 14 March 2026 (2026-03-14, Europe/Paris)

2 orders, 6 items, 18.00 EUR in total.

Product   Items  Orders    Revenue
latte         3       2  10.50 EUR
espresso      3       1   7.50 EUR
----------------------------------
Total         6       2  18.00 EUR
"""


@pytest.fixture
def cafe(lambda_harness, monkeypatch):
    monkeypatch.setattr(boto_clients, "_clients", {})
    sales_table()
    idempotency_table()
    topic, inbox = topic_with_inbox("platform-test-sales-report")
    lambda_harness.deploy(EXTRACTOR, "handlers.data_extractor.app.handler", service="data-extractor",
                          environment={"SALES_TABLE_NAME": SALES_TABLE})
    lambda_harness.deploy(REPORT, "handlers.daily_report.app.handler", service="daily-sales-report", environment={
        "DATA_EXTRACTOR_FUNCTION": EXTRACTOR, "REPORT_TOPIC_ARN": topic, "CAFE_TIME_ZONE": "Europe/Paris",
        "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE})
    client = boto3.client("dynamodb", region_name=REGION)
    for sku, quantity, revenue, orders in (("espresso", 3, "7.5", 1), ("latte", 3, "10.5", 2), ("#all", 6, "18", 2)):
        client.put_item(TableName=SALES_TABLE, Item={"day": {"S": "2026-03-14"}, "sku": {"S": sku}, "quantity": {"N": str(quantity)},
                                                     "revenue": {"N": revenue}, "orders": {"N": str(orders)}, "currency": {"S": "EUR"}})
    return {"inbox": inbox, "topic": topic, "harness": lambda_harness}


def emails(inbox) -> list[dict]:
    return [json.loads(message["Body"]) for message in receive_all(inbox.url)]


def test_the_report_for_yesterday_is_e_mailed_as_readable_text(cafe):
    run = cafe["harness"].invoke(REPORT, SCHEDULED)
    assert not run.failed and run.outcome.json()["day"] == "2026-03-14"
    (email,) = emails(cafe["inbox"])
    assert email["Subject"] == "Café sales for 2026-03-14"
    assert email["Message"] == EXPECTED_REPORT


def test_a_second_run_for_the_same_day_sends_no_second_e_mail(cafe):
    first = cafe["harness"].invoke(REPORT, SCHEDULED)
    second = cafe["harness"].invoke(REPORT, {"scheduled_time": "2026-03-15T07:30:00+01:00"})  # a retry, later the same morning
    assert first.outcome.json() == second.outcome.json()
    assert len(emails(cafe["inbox"])) == 1


def test_the_scheduler_invokes_it_asynchronously(cafe):
    cafe["harness"].invoke(REPORT, SCHEDULED, invocation_type="Event")
    (run,) = cafe["harness"].run_async()
    assert not run.failed and len(emails(cafe["inbox"])) == 1


def test_a_day_without_orders_says_so(cafe):
    cafe["harness"].invoke(REPORT, {"day": "2026-03-10"})
    (email,) = emails(cafe["inbox"])
    assert email["Message"] == "Café sales for Tuesday 10 March 2026 (2026-03-10, Europe/Paris)\n\nNo orders were placed that day.\n"


def test_without_a_scheduled_time_it_reports_the_cafes_yesterday(cafe):
    run = cafe["harness"].invoke(REPORT, {})
    expected = (datetime.datetime.now(PARIS).date() - datetime.timedelta(days=1)).isoformat()
    assert run.outcome.json()["day"] == expected


def test_a_failing_extractor_fails_the_run_and_sends_nothing_until_it_recovers(cafe):
    harness = cafe["harness"]
    harness.lambda_client.update_function_configuration(FunctionName=EXTRACTOR, Environment={"Variables": {"SERVICE_NAME": "data-extractor"}})
    failed = harness.invoke(REPORT, SCHEDULED)
    assert failed.failed and failed.outcome.json()["errorType"] == "ExtractorFailed"
    assert "SALES_TABLE_NAME is not set" in failed.outcome.json()["errorMessage"]
    assert emails(cafe["inbox"]) == []

    harness.lambda_client.update_function_configuration(FunctionName=EXTRACTOR, Environment={"Variables": {
        "SERVICE_NAME": "data-extractor", "SALES_TABLE_NAME": SALES_TABLE}})
    assert not harness.invoke(REPORT, SCHEDULED).failed and len(emails(cafe["inbox"])) == 1


@pytest.mark.parametrize("event, field", [({"day": "14/03/2026"}, "day"), ({"day": "2026-02-30"}, "day"),
                                          ({"scheduled_time": "soon"}, "scheduled_time"), ({"when": "now"}, "when"), ([], "event")])
def test_a_run_asking_for_something_impossible_fails_naming_the_field(cafe, event, field):
    run = cafe["harness"].invoke(REPORT, event)
    assert run.outcome.json()["errorType"] == "InvalidRun" and run.outcome.json()["errorMessage"].startswith(f"{field}: ")
    assert emails(cafe["inbox"]) == []


def test_one_trace_links_the_report_the_extractor_and_the_e_mail(cafe, spans):
    cafe["harness"].invoke(REPORT, SCHEDULED)
    finished = spans.get_finished_spans()
    (job,) = [span for span in finished if span.name == REPORT]
    (call,) = [span for span in finished if span.name == f"{EXTRACTOR} invoke"]
    (extraction,) = [span for span in finished if span.name == EXTRACTOR]
    (send,) = [span for span in finished if span.name == "platform-test-sales-report send"]
    assert call.kind == SpanKind.CLIENT and call.parent.span_id == job.context.span_id
    assert [link.context.span_id for link in extraction.links] == [call.context.span_id]  # the extractor links to the call
    assert extraction.links[0].context.trace_id == job.context.trace_id
    assert send.context.trace_id == job.context.trace_id and send.kind == SpanKind.PRODUCER
    (message,) = receive_all(cafe["inbox"].url)
    envelope = json.loads(message["Body"])
    assert envelope["MessageAttributes"]["traceparent"]["Value"].split("-")[1:3] == [f"{job.context.trace_id:032x}", f"{send.context.span_id:016x}"]


GOOD = {"day": "2026-03-14", "currency": "EUR", "lines": [{"sku": "tea", "quantity": "1", "revenue": "2.5", "orders": "1"}],
        "totals": {"quantity": "1", "revenue": "2.5", "orders": "1"}}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"day": "2026-03-13"}, "day"),
        ({"currency": "euro"}, "currency"),
        ({"lines": "none"}, "lines"),
        ({"lines": [{"sku": "", "quantity": "1", "revenue": "1", "orders": "1"}]}, "lines[0].sku"),
        ({"lines": [{"sku": "tea", "quantity": 1, "revenue": "1", "orders": "1"}]}, "lines[0].quantity"),
        ({"lines": [{"sku": "tea", "quantity": "1", "revenue": 2.5, "orders": "1"}]}, "lines[0].revenue"),
        ({"lines": [{"sku": "tea", "quantity": "1", "revenue": "1e3", "orders": "1"}]}, "lines[0].revenue"),
        ({"totals": None}, "totals"),
    ],
)
def test_an_answer_of_another_shape_is_refused_naming_the_field(change, field):
    with pytest.raises(InvalidAnswer) as refused:
        day_sales({**GOOD, **change}, "2026-03-14")
    assert str(refused.value).startswith(f"{field}")


FIGURES = st.builds(Figures, st.integers(0, 10**9), st.decimals(min_value=0, max_value=10**9, places=2), st.integers(0, 10**9))


@given(st.lists(st.tuples(st.text(min_size=1, max_size=80), FIGURES), max_size=30, unique_by=lambda pair: pair[0]), FIGURES,
       st.sampled_from(["EUR", "USD", None]))
def test_any_day_renders_as_an_aligned_table_with_every_figure(lines, totals, currency):
    sales = DaySales("2026-03-14", currency, tuple(Line(sku, figures) for sku, figures in lines), totals)
    text = render(sales, "Europe/Paris")
    rows = text.splitlines()
    assert text.endswith("\n") and rows[0].startswith("Café sales for Saturday 14 March 2026")
    if not lines and totals.orders == 0:
        return
    table = rows[4:]
    assert len(table) == len(lines) + 3  # header, one row per product (no name can add a line), rule, total
    assert len({len(row) for row in table}) == 1  # aligned
    assert table[-1].startswith("Total") and table[-1].endswith(f"{totals.revenue:.2f}" + (f" {currency}" if currency else ""))
    expected = sorted(lines, key=lambda line: (-line[1].revenue, line[0]))  # best sellers first
    suffix = f" {currency}" if currency else ""
    for row, (sku, figures) in zip(table[1:-2], expected):
        name = printable(sku)
        assert row.startswith(name) and row.endswith(f"{figures.revenue:.2f}{suffix}")
        assert row[len(name):].split()[:2] == [str(figures.quantity), str(figures.orders)]


@given(st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1), timezones=st.just(datetime.timezone.utc)),
       st.sampled_from(["Europe/Paris", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]))
def test_yesterday_is_the_day_before_the_cafes_local_date_whatever_the_time_and_zone(moment, zone_name):
    zone = ZoneInfo(zone_name)
    expected = moment.astimezone(zone).date() - datetime.timedelta(days=1)
    assert report_day({"scheduled_time": moment.isoformat()}, datetime.datetime.now(datetime.timezone.utc), zone) == expected.isoformat()
    assert report_day({}, moment, zone) == expected.isoformat()


def test_an_explicit_day_wins_and_naive_timestamps_are_refused():
    now = datetime.datetime(2026, 3, 15, 5, tzinfo=datetime.timezone.utc)
    assert report_day({"day": "2026-01-02", "scheduled_time": "2026-03-15T06:00:00Z"}, now, PARIS) == "2026-01-02"
    with pytest.raises(InvalidRun, match="scheduled_time: must carry a time zone"):
        report_day({"scheduled_time": "2026-03-15T06:00:00"}, now, PARIS)
    assert report_day({"time": "2026-03-15T05:00:00Z", "detail-type": "Scheduled Event", "source": "aws.events"}, now, PARIS) == "2026-03-14"
