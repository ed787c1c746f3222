"""The data extractor against a moto sales-aggregate table, directly and through the Lambda API."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.trace import SpanKind

from handlers import boto_clients
from handlers.data_extractor import app, repository
from handlers.data_extractor.request import InvalidRequest
from handlers.data_extractor.summary import decimal_text, summarise
from handlers.telemetry.propagation import inject_payload, publish_span
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import REGION, FakeLambdaContext
from tests.harness.cafe_tables import SALES_TABLE, sales_table

FUNCTION = "platform-test-data-extractor-function"


@pytest.fixture(scope="module")
def created(shared_aws):
    return sales_table()


@pytest.fixture
def table(created, monkeypatch):
    """Puts items; tests share the module's table, so each uses its own days."""
    monkeypatch.setenv("SALES_TABLE_NAME", SALES_TABLE)
    monkeypatch.setattr(boto_clients, "_clients", {})
    client = boto3.client("dynamodb", region_name=REGION)

    def put(day: str, sku: str, **attributes) -> None:
        item = {"day": {"S": day}, "sku": {"S": sku}}
        for name, value in attributes.items():
            item[name] = {"N": str(value)} if isinstance(value, (int, Decimal)) else {"S": str(value)}
        client.put_item(TableName=SALES_TABLE, Item=item)

    return put


def extract(event):
    return app.handler(event, FakeLambdaContext(function_name=FUNCTION))


def test_one_day_with_lines_and_totals_as_strings(table):
    table("2026-03-14", "latte", quantity=3, revenue=Decimal("10.50"), orders=2, currency="EUR")
    table("2026-03-14", "espresso", quantity=2, revenue=Decimal("5.00"), orders=1, currency="EUR")
    table("2026-03-14", "#all", quantity=5, revenue=Decimal("15.50"), orders=2, currency="EUR")
    table("2026-03-13", "latte", quantity=9, revenue=Decimal("31.50"), orders=9, currency="EUR")  # another day
    table("event#abc", "-", expires_at=1)  # a marker item

    assert extract({"day": "2026-03-14"}) == {
        "day": "2026-03-14",
        "currency": "EUR",
        "lines": [
            {"sku": "espresso", "quantity": "2", "revenue": "5.00", "orders": "1"},
            {"sku": "latte", "quantity": "3", "revenue": "10.50", "orders": "2"},
        ],
        "totals": {"quantity": "5", "revenue": "15.50", "orders": "2"},  # distinct orders, from the day total
    }


def test_a_day_without_sales(table):
    assert extract({"day": "2026-03-15"}) == {
        "day": "2026-03-15", "currency": None, "lines": [], "totals": {"quantity": "0", "revenue": "0", "orders": "0"}}


@pytest.mark.parametrize(
    "event, field",
    [
        ([], "event"),
        ({}, "day"),
        ({"day": None}, "day"),
        ({"day": 20260314}, "day"),
        ({"day": "14/03/2026"}, "day"),
        ({"day": "2026-02-30"}, "day"),
        ({"day": "2026-03-14", "days": 2}, "days"),
    ],
)
def test_bad_input_raises_naming_the_field(table, event, field):
    with pytest.raises(InvalidRequest) as refused:
        extract(event)
    assert refused.value.field == field and str(refused.value).startswith(f"{field}: ")


def test_a_caller_gets_the_error_type_and_field_through_the_lambda_api(table, harness):
    harness.deploy(FUNCTION, "handlers.data_extractor.app.handler", service="data-extractor",
                          environment={"SALES_TABLE_NAME": SALES_TABLE})
    invocation = harness.invoke(FUNCTION, {"day": "yesterday"})
    assert invocation.outcome.function_error == "Unhandled"
    assert invocation.outcome.json()["errorType"] == "InvalidRequest"
    assert invocation.outcome.json()["errorMessage"] == "day: must be a date YYYY-MM-DD"
    table("2026-04-01", "#all", quantity=1, revenue=Decimal("2.5"), orders=1, currency="EUR")
    assert harness.invoke(FUNCTION, {"day": "2026-04-01"}).outcome.json()["totals"]["revenue"] == "2.5"


def test_the_callers_trace_context_is_accepted_and_linked(table, spans):
    with tracing.tracer("daily-sales-report").start_as_current_span("report"), publish_span("data-extractor", "aws_lambda") as caller:
        event = inject_payload({"day": "2026-06-01"})
    extract(event)
    (invocation,) = [span for span in spans.get_finished_spans() if span.name == FUNCTION]
    assert invocation.kind == SpanKind.INTERNAL
    (link,) = invocation.links
    assert link.context.span_id == caller.get_span_context().span_id


def test_missing_table_configuration_is_named(table, monkeypatch):
    monkeypatch.delenv("SALES_TABLE_NAME")
    with pytest.raises(RuntimeError, match="SALES_TABLE_NAME is not set"):
        extract({"day": "2026-03-14"})


def test_a_long_day_is_read_across_pages(table):
    for index in range(7):
        table("2026-05-01", f"sku-{index}", quantity=1, revenue=1, orders=1, currency="EUR")
    real = boto3.client("dynamodb", region_name=REGION)
    pages = []

    class SmallPages:
        def query(self, **request):
            pages.append(request.get("ExclusiveStartKey"))
            return real.query(**request, Limit=3)

    items = repository.items_of_day(SALES_TABLE, "2026-05-01", client=SmallPages())
    assert len(items) == 7 and len(pages) == 3


MONEY = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False)


@given(MONEY)
def test_decimal_text_is_exact_and_never_in_exponent_notation(value):
    text = decimal_text(value)
    assert "E" not in text.upper() and Decimal(text) == value


@given(st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
                       st.tuples(st.integers(0, 10**6), MONEY, st.integers(0, 10**6)), max_size=20))
def test_summary_keeps_every_line_exactly(lines):
    items = [{"day": "2026-03-14", "sku": sku, "quantity": Decimal(q), "revenue": r, "orders": Decimal(o), "currency": "EUR"}
             for sku, (q, r, o) in lines.items()]
    result = summarise("2026-03-14", items)
    assert [line["sku"] for line in result["lines"]] == sorted(lines)
    for line in result["lines"]:
        quantity, revenue, orders = lines[line["sku"]]
        assert (int(line["quantity"]), Decimal(line["revenue"]), int(line["orders"])) == (quantity, revenue, orders)
