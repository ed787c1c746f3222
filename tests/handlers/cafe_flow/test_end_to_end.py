"""The café flow end to end (issue 7 §5): the real handlers, in this process, against moto.

1. POST an order (through the Gatekeeper authorizer, as API Gateway calls them).
2. Read the orders table's stream records and feed them to the aggregator (and the outbox).
3. Run the report job.
4. Assert the e-mail text the report topic received, and that one trace id links the hops.
Then feed the fan-out to the kitchen and loyalty queues and run both workers the same way.

Lambda's invoke path and its event source mappings are the harness (tests/harness); every
table, stream, queue, topic and bus is moto's. One thing is not in this branch: the fulfilment
workflow, which publishes OrderPaid once payment succeeded. The test publishes that message
as the workflow's last state does (docs/cafe.md: attributes, group, deduplication id, and the
order's trace context, which the workflow carries from the OrderPlaced event).
"""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import boto3
import pytest
from opentelemetry.trace import SpanKind

from handlers import boto_clients
from handlers.orders import app as orders_app
from tests.handlers.cafe_flow.platform import FUNCTIONS, MAX_RECEIVES, STREAM_RETRIES, ZONE, build
from tests.handlers.telemetry.helpers import REGION
from tests.harness.aws_resources import bodies, receive_all
from tests.harness.cafe_tables import KITCHEN_TABLE, LOYALTY_TABLE, put_order, sample_order

ORDER = {"customer_id": "c-42", "items": [{"sku": "espresso", "quantity": 2, "unit_price": 2.5},
                                          {"sku": "latte", "quantity": 1, "unit_price": 3.5}]}


@pytest.fixture
def cafe(lambda_harness, monkeypatch):
    monkeypatch.setattr(boto_clients, "_clients", {})
    # The orders module builds its client at import, which happened before moto started.
    monkeypatch.setattr(orders_app, "_dynamodb", boto3.client("dynamodb", region_name=REGION))
    return build(lambda_harness)


def cafe_day(created_at: str) -> datetime.date:
    moment = datetime.datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(ZONE)).date()


def the_next_morning(day: datetime.date) -> str:
    """When the schedule fires: 06:00 in the café the day after."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(6), ZoneInfo(ZONE)).isoformat()


def publish_order_paid(cafe, order: dict) -> None:
    """What the fulfilment workflow publishes once the payment succeeded (its last state)."""
    stored = boto3.client("dynamodb", region_name=REGION).get_item(TableName="platform-test-orders-table",
                                                                  Key={"order_id": {"S": order["order_id"]}})["Item"]
    traceparent = stored["trace_context"]["M"]["traceparent"]["S"]
    boto3.client("sns", region_name=REGION).publish(
        TopicArn=cafe.topics["order-events"], MessageGroupId=order["order_id"], MessageDeduplicationId=f"OrderPaid-{order['order_id']}",
        Message=json.dumps({"event_type": "OrderPaid", "order_id": order["order_id"], "payment_id": "pay-1", "total": "8.50",
                            "currency": "EUR", "customer_id": order["customer_id"]}),
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": "OrderPaid"},
                           "traceparent": {"DataType": "String", "StringValue": traceparent}})


def consumer_spans(spans, function: str) -> list:
    """The per-record spans of one function's invocations (children of its invocation span)."""
    finished = spans.get_finished_spans()
    invocations = {span.context.span_id for span in finished if span.resource.attributes.get("faas.name") == function
                   or span.attributes.get("faas.name") == function}
    return [span for span in finished if span.kind == SpanKind.CONSUMER and span.parent is not None and span.parent.span_id in invocations]


def test_an_order_flows_to_the_report_the_kitchen_and_loyalty_in_one_trace(cafe, spans):
    # 1. POST an order.
    status, order = cafe.post_order(ORDER)
    assert status == 201 and order["status"] == "placed" and order["total"] == 8.5
    (request,) = [span for span in spans.get_finished_spans() if span.name == "POST /orders"]
    order_trace = request.context.trace_id

    # 2. The table stream's records, to the aggregator (and the outbox, its other consumer).
    drained = cafe.drain("sales", "outbox")
    assert [result.action for result in drained["sales"]] == ["checkpointed"]
    assert [result.action for result in drained["outbox"]] == ["checkpointed"]

    # 3. The report job, the next morning in the café.
    day = cafe_day(order["created_at"])
    run = cafe.run_report(the_next_morning(day))
    assert not run.failed and run.outcome.json()["day"] == day.isoformat()

    # 4. The e-mail the report topic received.
    (email,) = [json.loads(message["Body"]) for message in receive_all(cafe.queues["report-mail"].url)]
    assert email["Subject"] == f"Café sales for {day.isoformat()}"
    assert email["Message"] == (
        f"Café sales for {day:%A} {day.day} {day:%B %Y} ({day.isoformat()}, {ZONE})\n"
        "\n"
        "1 order, 3 items, 8.50 EUR in total.\n"
        "\n"
        "Product   Items  Orders   Revenue\n"
        "espresso      2       1  5.00 EUR\n"
        "latte         1       1  3.50 EUR\n"
        "---------------------------------\n"
        "Total         3       1  8.50 EUR\n"
    )
    assert receive_all(cafe.queues["high-balance-mail"].url) == []  # 8.50 is below the alert threshold

    # The fan-out: OrderPlaced to the kitchen (and to the bus for the workflow), then OrderPaid.
    assert [json.loads(m["Body"])["detail"]["order"]["order_id"] for m in receive_all(cafe.queues["fulfilment-input"].url)] == [order["order_id"]]
    cafe.drain("kitchen", "loyalty")
    publish_order_paid(cafe, order)
    cafe.drain("kitchen", "loyalty")
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    ticket = dynamodb.get_item(TableName=KITCHEN_TABLE, Key={"order_id": {"S": order["order_id"]}})["Item"]
    assert ticket["status"]["S"] == "paid" and len(ticket["items"]["L"]) == 2
    account = dynamodb.get_item(TableName=LOYALTY_TABLE, Key={"customer_id": {"S": "c-42"}})["Item"]
    assert account["points"]["N"] == "8" and account["last_order_id"]["S"] == order["order_id"]
    for queue in ("kitchen", "loyalty"):
        assert receive_all(cafe.queues[queue].url) == [] and bodies(cafe.queues[queue].dlq_url) == []

    # One trace id links the hops: each consumer's record span links into the order's trace,
    # and the outbox's sends belong to it.
    for function in ("sales", "outbox", "kitchen", "loyalty"):
        records = consumer_spans(spans, FUNCTIONS[function])
        assert records, function
        assert all(link.context.trace_id == order_trace for span in records for link in span.links), function
    sends = [span for span in spans.get_finished_spans() if span.kind == SpanKind.PRODUCER and span.name.endswith(("fifo send", "order-routing send"))]
    assert len(sends) == 2 and {span.context.trace_id for span in sends} == {order_trace}
    kitchen_links = {link.context.span_id for span in consumer_spans(spans, FUNCTIONS["kitchen"]) for link in span.links}
    assert any(span.context.span_id in kitchen_links for span in sends)  # the kitchen links to the very send

    # The report's own hops: job -> extractor (linked) -> e-mail, in the job's trace.
    (job,) = [span for span in spans.get_finished_spans() if span.name == FUNCTIONS["report"]]
    (extraction,) = [span for span in spans.get_finished_spans() if span.name == FUNCTIONS["extractor"]]
    assert extraction.links[0].context.trace_id == job.context.trace_id
    envelope = json.loads(receive_all(cafe.queues["report-mail"].url)[0]["Body"])
    assert envelope["MessageAttributes"]["traceparent"]["Value"].split("-")[1] == f"{job.context.trace_id:032x}"


def test_poison_never_blocks_and_is_never_lost_in_the_sqs_and_dynamodb_stream_consumers(cafe):
    # DynamoDB stream: an item no orders API would write, between two real orders.
    _, first = cafe.post_order(ORDER)
    put_order({**sample_order("poison-order"), "items": "two coffees"})
    _, second = cafe.post_order({**ORDER, "customer_id": "c-43"})

    drained = cafe.drain("sales", "outbox")

    for consumer, failures in (("sales", "sales-failures"), ("outbox", "outbox-failures")):
        results = drained[consumer]
        discarded = [result for result in results if result.action == "discarded"]
        assert len(discarded) == 1 and discarded[0].records[0]["dynamodb"]["Keys"]["order_id"]["S"] == "poison-order", consumer
        (kept,) = [json.loads(body)["DDBStreamBatchInfo"] for body in bodies(cafe.queues[failures].url)]
        poison_sequence = discarded[0].records[0]["dynamodb"]["SequenceNumber"]
        assert kept["startSequenceNumber"] == kept["endSequenceNumber"] == poison_sequence and kept["batchSize"] == 1  # it alone
        attempts = [result for result in results if poison_sequence in {r["dynamodb"]["SequenceNumber"] for r in result.records}]
        assert [result.action for result in attempts][-1] == "discarded" and len(attempts) > STREAM_RETRIES  # retried, then set aside
    day = cafe_day(first["created_at"]).isoformat()
    totals = boto3.client("dynamodb", region_name=REGION).get_item(
        TableName="platform-test-sales-aggregate-table", Key={"day": {"S": day}, "sku": {"S": "#all"}})["Item"]
    assert totals["orders"]["N"] == "2"  # both real orders counted, neither blocked
    published = sorted(json.loads(m["Body"])["order"]["order_id"] for m in receive_all(cafe.queues["kitchen"].url))
    assert published == sorted([first["order_id"], second["order_id"]])

    # SQS: a message on the kitchen's FIFO queue that is not an order event, in its own group.
    boto3.client("sns", region_name=REGION).publish(
        TopicArn=cafe.topics["order-events"], Message="{not an order event", MessageGroupId="poison-group",
        MessageDeduplicationId="poison", MessageAttributes={"event_type": {"DataType": "String", "StringValue": "OrderPlaced"}})

    results = cafe.drain("kitchen")["kitchen"]

    poison_deliveries = [result for result in results for record in result.records if record["body"] == "{not an order event"]
    assert len(poison_deliveries) == MAX_RECEIVES  # received the configured number of times...
    assert bodies(cafe.queues["kitchen"].dlq_url) == ["{not an order event"]  # ...then dead-lettered, never lost
    tickets = boto3.client("dynamodb", region_name=REGION).scan(TableName=KITCHEN_TABLE)["Items"]
    assert sorted(item["order_id"]["S"] for item in tickets) == sorted([first["order_id"], second["order_id"]])  # never blocked
    assert receive_all(cafe.queues["kitchen"].url) == []
