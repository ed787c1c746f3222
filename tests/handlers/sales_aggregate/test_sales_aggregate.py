"""The sales aggregate on the orders table's moto stream: exactly-once totals, alerts, poison records."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import boto_clients
from handlers.sales_aggregate import totals
from handlers.sales_aggregate.order import Sale, UnusableOrder, sale_of
from tests.handlers.telemetry.helpers import REGION, parse_output
from tests.harness.aws_resources import bodies, make_queue, receive_all, topic_with_inbox
from tests.harness.cafe_tables import IDEMPOTENCY_TABLE, ORDERS_TABLE, SALES_TABLE, idempotency_table, orders_table, put_order, sales_table, sample_order

FUNCTION = "platform-test-sales-aggregate-function"
PARIS = ZoneInfo("Europe/Paris")
ENVIRONMENT = {"TABLE_NAME": SALES_TABLE, "HIGH_VALUE_THRESHOLD": "100", "CAFE_TIME_ZONE": "Europe/Paris",
               "CAFE_CURRENCY": "EUR", "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE}


@pytest.fixture
def cafe(lambda_harness, monkeypatch):
    monkeypatch.setattr(boto_clients, "_clients", {})
    stream = orders_table()
    sales_table()
    idempotency_table()
    topic, inbox = topic_with_inbox("platform-test-high-balance-alert")
    failures = make_queue("platform-test-sales-failures")
    lambda_harness.deploy(FUNCTION, "handlers.sales_aggregate.app.handler", service="sales-aggregate",
                          environment={**ENVIRONMENT, "HIGH_BALANCE_TOPIC_ARN": topic})
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=stream, StartingPosition="TRIM_HORIZON", BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"], BisectBatchOnFunctionError=True, MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": failures.arn}})
    return {"mapping": mapping, "inbox": inbox, "failures": failures, "topic": topic, "harness": lambda_harness}


def day_items(day: str, table: str = SALES_TABLE) -> dict[str, dict]:
    found = boto3.client("dynamodb", region_name=REGION).query(
        TableName=table, KeyConditionExpression="#d = :d", ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":d": {"S": day}}, ConsistentRead=True)["Items"]
    return {item["sku"]["S"]: {name: value.get("N", value.get("S")) for name, value in item.items()} for item in found}


def figures(day: str, table: str = SALES_TABLE) -> dict[str, tuple[str, str, str]]:
    return {sku: (item["quantity"], item["revenue"], item["orders"]) for sku, item in day_items(day, table).items()}


def order(order_id: str, items: list[tuple[str, int, str]], created_at: str = "2026-03-14T09:15:00.000Z", currency: str = "EUR", total: str | None = None) -> dict:
    lines = [{"sku": sku, "quantity": quantity, "unit_price": Decimal(price)} for sku, quantity, price in items]
    placed = sample_order(order_id, created_at=created_at, total=total or str(sum(Decimal(p) * q for _, q, p in items)))
    placed.update(items=lines, currency=currency)
    return placed


def alerts(inbox) -> list[dict]:
    return [json.loads(message["Body"]) for message in receive_all(inbox.url)]


def test_orders_add_up_per_product_and_per_day(cafe):
    put_order(order("o-1", [("espresso", 2, "2.50"), ("latte", 1, "3.50"), ("espresso", 1, "2.50")]))
    put_order(order("o-2", [("latte", 2, "3.50")]))

    cafe["mapping"].drain()

    assert figures("2026-03-14") == {
        "espresso": ("3", "7.50", "1"),  # the same SKU twice in one order counts as one order
        "latte": ("3", "10.50", "2"),
        "#all": ("6", "18.00", "2"),  # distinct orders
    }
    item = day_items("2026-03-14")["latte"]
    assert item["currency"] == "EUR" and item["last_updated"].endswith("Z")


def test_the_day_is_the_cafes_calendar_day(cafe):
    put_order(order("o-late", [("espresso", 1, "2.50")], created_at="2026-03-14T23:30:00.000Z"))  # 00:30 in Paris
    cafe["mapping"].drain()
    assert figures("2026-03-14") == {} and figures("2026-03-15")["#all"] == ("1", "2.50", "1")


def test_every_record_leaves_a_marker_that_expires(cafe):
    put_order(order("o-1", [("espresso", 1, "2.50")]))
    (result,) = cafe["mapping"].drain()
    marker = day_items(f"event#{result.records[0]['eventID']}")["-"]
    assert marker["order_id"] == "o-1" and int(marker["expires_at"]) > 0


def test_a_redelivered_batch_counts_nothing_twice(cafe, capsys):
    put_order(order("o-1", [("espresso", 2, "2.50")]))
    put_order(order("o-2", [("latte", 1, "3.50")]))
    (result,) = cafe["mapping"].drain()
    before = figures("2026-03-14")

    again = cafe["harness"].invoke(FUNCTION, {"Records": result.records})

    assert again.outcome.json() == {"batchItemFailures": []} and figures("2026-03-14") == before
    messages = [line["message"] for line in parse_output(capsys.readouterr().out).logs]
    assert messages.count("sale counted") == 2 and messages.count("sale already counted") == 2


def test_a_high_value_order_alerts_once_in_plain_text(cafe):
    put_order(order("o-big", [("cake", 40, "2.50")]))  # 100.00, exactly the threshold
    put_order(order("o-small", [("cake", 39, "2.50")]))
    (result,) = cafe["mapping"].drain()
    cafe["harness"].invoke(FUNCTION, {"Records": result.records})  # redelivered: no second alert

    (alert,) = alerts(cafe["inbox"])
    assert alert["Subject"] == "High-value order o-big"
    assert alert["Message"] == (
        "Order o-big totals 100.00 EUR, at or above the 100 EUR alert threshold.\n\n"
        "Customer:  c-1\nPlaced at: 2026-03-14 10:15 (Europe/Paris)\n\nItems:\n  40 x cake = 100.00 EUR\n"
    )


def test_a_failed_alert_is_retried_without_counting_the_sale_again(cafe, lambda_harness):
    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        **ENVIRONMENT, "SERVICE_NAME": "sales-aggregate", "HIGH_BALANCE_TOPIC_ARN": cafe["topic"] + "-missing"}})
    put_order(order("o-big", [("cake", 50, "2.50")]))
    assert cafe["mapping"].poll().verdict.kind == "failure"
    assert figures("2026-03-14")["#all"] == ("50", "125.00", "1")  # counted before the alert failed

    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        **ENVIRONMENT, "SERVICE_NAME": "sales-aggregate", "HIGH_BALANCE_TOPIC_ARN": cafe["topic"]}})
    assert cafe["mapping"].poll().action == "checkpointed"

    assert figures("2026-03-14")["#all"] == ("50", "125.00", "1") and len(alerts(cafe["inbox"])) == 1


def test_an_update_of_an_order_is_not_a_new_sale(cafe):
    put_order(order("o-1", [("espresso", 1, "2.50")]))
    cafe["mapping"].drain()
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=ORDERS_TABLE, Key={"order_id": {"S": "o-1"}}, UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "paid"}})
    cafe["mapping"].drain()
    assert figures("2026-03-14")["#all"] == ("1", "2.50", "1")


def test_poison_records_go_alone_to_the_failure_destination_and_the_rest_is_counted(cafe):
    put_order(order("good-1", [("espresso", 1, "2.50")]))
    put_order(order("usd", [("espresso", 1, "2.50")], currency="USD"))
    put_order(order("good-2", [("latte", 1, "3.50")]))
    put_order(order("bad-total", [("latte", 1, "3.50")], total="9.99"))
    put_order(order("good-3", [("latte", 2, "3.50")]))

    results = cafe["mapping"].drain()

    assert figures("2026-03-14") == {"espresso": ("1", "2.50", "1"), "latte": ("3", "10.50", "2"), "#all": ("4", "13.00", "3")}
    discarded = [result.records[0]["dynamodb"]["Keys"]["order_id"]["S"] for result in results if result.action == "discarded"]
    assert sorted(discarded) == ["bad-total", "usd"]
    records = [json.loads(body)["DDBStreamBatchInfo"] for body in bodies(cafe["failures"].url)]
    assert len(records) == 2 and all(info["batchSize"] == 1 for info in records)


def test_a_misconfigured_function_fails_its_records_naming_the_setting(cafe, lambda_harness, capsys):
    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        **ENVIRONMENT, "SERVICE_NAME": "sales-aggregate", "HIGH_BALANCE_TOPIC_ARN": cafe["topic"], "CAFE_TIME_ZONE": "Mars/Olympus"}})
    put_order(order("o-1", [("espresso", 1, "2.50")]))
    assert cafe["mapping"].poll().verdict.kind == "failure"
    (failed,) = [line for line in parse_output(capsys.readouterr().out).logs if line["message"] == "record failed"]
    assert "CAFE_TIME_ZONE 'Mars/Olympus' is not an IANA time zone" in failed["exception"]


BASE = {"order_id": "o-1", "customer_id": "c-1", "currency": "EUR", "total": Decimal("2.50"), "created_at": "2026-03-14T09:15:00Z",
        "items": [{"sku": "espresso", "quantity": Decimal(1), "unit_price": Decimal("2.50")}]}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"order_id": None}, "order_id"),
        ({"customer_id": "#x"}, "customer_id"),
        ({"currency": "USD"}, "currency"),
        ({"items": []}, "items"),
        ({"items": ["espresso"]}, "items[0]"),
        ({"items": [{"sku": "#all", "quantity": Decimal(1), "unit_price": Decimal("2.50")}]}, "items[0].sku"),
        ({"items": [{"sku": "-", "quantity": Decimal(1), "unit_price": Decimal("2.50")}]}, "items[0].sku"),
        ({"items": [{"sku": "a", "quantity": Decimal("1.5"), "unit_price": Decimal("2.50")}]}, "items[0].quantity"),
        ({"items": [{"sku": "a", "quantity": Decimal(0), "unit_price": Decimal("2.50")}]}, "items[0].quantity"),
        ({"items": [{"sku": "a", "quantity": Decimal(1), "unit_price": Decimal("2.505")}]}, "items[0].unit_price"),
        ({"items": [{"sku": "a", "quantity": Decimal(1), "unit_price": "2.50"}]}, "items[0].unit_price"),
        ({"total": Decimal("3")}, "total"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": "2026-03-14T09:15:00"}, "created_at"),
        ({"items": [{"sku": f"s{i}", "quantity": Decimal(1), "unit_price": Decimal(0)} for i in range(99)], "total": Decimal(0)}, "items"),
    ],
)
def test_every_unusable_image_is_refused_naming_the_field(change, message):
    with pytest.raises(UnusableOrder) as refused:
        sale_of({**BASE, **change}, PARIS, "EUR")
    assert str(refused.value).startswith(message)


ITEM = st.tuples(st.sampled_from(["espresso", "latte", "cake", "tea"]), st.integers(1, 1000),
                 st.decimals(min_value=0, max_value=1000, places=2))


@given(st.lists(ITEM, min_size=1, max_size=50))
def test_a_sale_keeps_every_unit_and_cent_of_any_valid_order(items):
    total = sum((price * quantity for _, quantity, price in items), Decimal(0))
    image = {**BASE, "total": total, "items": [{"sku": sku, "quantity": Decimal(q), "unit_price": p} for sku, q, p in items]}
    sale = sale_of(image, PARIS, "EUR")
    assert sale.units == sum(q for _, q, _ in items)
    assert sum((revenue for _, _, revenue in sale.lines), Decimal(0)) == sale.total == total
    assert len({sku for sku, _, _ in sale.lines}) == len(sale.lines)
    actions = totals.transaction("t", "e", sale, 1_700_000_000)
    assert len(actions) == len(sale.lines) + 2 <= 100


_tables = itertools.count()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(deliveries=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 5), st.decimals(min_value=0, max_value=50, places=2)), min_size=1, max_size=12))
def test_any_sequence_of_deliveries_and_redeliveries_counts_each_record_once(aws, deliveries):
    """Records 0-4, each delivered any number of times in any order: totals as if each came once."""
    table = sales_table(f"platform-test-sales-{next(_tables)}")  # moto copies a whole table per transaction action: keep it small
    sales = {}
    for record, quantity, price in deliveries:
        sale = sales.setdefault(record, Sale(f"o-{record}", "c", "2030-01-01", None, "EUR", price * quantity, (("sku", quantity, price * quantity),)))
        totals.count_once(table, f"event-{record}", sale)
    expected_units = sum(sale.units for sale in sales.values())
    expected_revenue = sum((sale.total for sale in sales.values()), Decimal(0))
    found = figures("2030-01-01", table)["#all"]
    assert (int(found[0]), Decimal(found[1]), int(found[2])) == (expected_units, expected_revenue, len(sales))
    boto3.client("dynamodb", region_name=REGION).delete_table(TableName=table)
