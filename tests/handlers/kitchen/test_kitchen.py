"""The kitchen worker behind its FIFO queue on the order-events FIFO topic (moto), via the harness."""

from __future__ import annotations

import json

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.trace import SpanKind

from handlers import boto_clients
from handlers.order_events import NotAnOrderEvent, OrderPaid, OrderPlaced, parse
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import REGION
from tests.harness.aws_resources import bodies, make_queue, publish_order_event, subscribe_queue
from tests.harness.cafe_tables import KITCHEN_TABLE, kitchen_table

FUNCTION = "platform-test-kitchen-worker"


def placed(order_id: str, *items: tuple[str, int]) -> dict:
    return {"event_type": "OrderPlaced", "order": {"order_id": order_id, "customer_id": "c-1", "currency": "EUR", "total": 5,
                                                   "items": [{"sku": sku, "quantity": q, "unit_price": 2.5} for sku, q in items or [("espresso", 2)]]}}


def paid(order_id: str) -> dict:
    return {"event_type": "OrderPaid", "order_id": order_id, "payment_id": f"pay-{order_id}", "total": "5.00", "currency": "EUR", "customer_id": "c-1"}


@pytest.fixture
def kitchen(lambda_harness, monkeypatch):
    monkeypatch.setattr(boto_clients, "_clients", {})
    kitchen_table()
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="platform-test-order-events.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queue = make_queue("platform-test-kitchen-queue", fifo=True, max_receive_count=3)
    subscribe_queue(topic, queue)  # raw delivery, as the Topic component subscribes a QueueWorker
    lambda_harness.deploy(FUNCTION, "handlers.kitchen.app.handler", service="kitchen", environment={"TABLE_NAME": KITCHEN_TABLE})
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=queue.arn, BatchSize=10,
                                                         FunctionResponseTypes=["ReportBatchItemFailures"])

    def publish(document: dict, group: str, dedup: str | None = None) -> None:
        publish_order_event(topic, document, group=group, dedup=dedup)

    return {"mapping": mapping, "queue": queue, "publish": publish}


def ticket(order_id: str) -> dict | None:
    item = boto3.client("dynamodb", region_name=REGION).get_item(TableName=KITCHEN_TABLE, Key={"order_id": {"S": order_id}}, ConsistentRead=True).get("Item")
    return None if item is None else {"status": item["status"]["S"], "items": [(i["M"]["sku"]["S"], int(i["M"]["quantity"]["N"])) for i in item["items"]["L"]],
                                      "payment_id": item.get("payment_id", {}).get("S")}


def test_a_ticket_is_received_then_paid(kitchen):
    kitchen["publish"](placed("o-1", ("espresso", 2), ("latte", 1)), "o-1")
    kitchen["mapping"].drain()
    assert ticket("o-1") == {"status": "received", "items": [("espresso", 2), ("latte", 1)], "payment_id": None}
    kitchen["publish"](paid("o-1"), "o-1")
    kitchen["mapping"].drain()
    assert ticket("o-1") == {"status": "paid", "items": [("espresso", 2), ("latte", 1)], "payment_id": "pay-o-1"}


def test_redeliveries_change_nothing_and_never_move_a_ticket_back(kitchen):
    kitchen["publish"](placed("o-1"), "o-1")
    kitchen["publish"](paid("o-1"), "o-1")
    kitchen["publish"](placed("o-1"), "o-1", dedup="redelivered-placed")  # a duplicate past SNS deduplication
    kitchen["publish"](paid("o-1"), "o-1", dedup="redelivered-paid")
    kitchen["mapping"].drain()
    assert ticket("o-1")["status"] == "paid" and bodies(kitchen["queue"].dlq_url) == []


def test_a_poison_message_holds_only_its_own_order_and_both_reach_the_dlq_in_order(kitchen):
    kitchen["publish"](placed("o-1"), "o-1")
    kitchen["publish"]({"event_type": "OrderPlaced", "order": {"order_id": "o-1", "items": "two coffees"}}, "o-1", dedup="poison")
    kitchen["publish"](paid("o-1"), "o-1")
    kitchen["publish"](placed("o-2"), "o-2")
    kitchen["publish"](paid("o-2"), "o-2")

    kitchen["mapping"].drain()

    assert ticket("o-2")["status"] == "paid"  # another order's poison did not block it, nor send it to the DLQ
    assert ticket("o-1")["status"] == "received"  # its OrderPaid waited behind the poison...
    dead = [json.loads(body) for body in bodies(kitchen["queue"].dlq_url)]
    assert sorted(document["event_type"] for document in dead) == ["OrderPaid", "OrderPlaced"]  # ...and is kept, not lost


def test_order_paid_without_a_ticket_is_retried_then_kept_in_the_dlq(kitchen):
    kitchen["publish"](paid("o-9"), "o-9")
    results = kitchen["mapping"].drain()
    assert [result.action for result in results] == ["retry", "retry", "retry"]  # received 3 times (maxReceiveCount)
    assert ticket("o-9") is None and [json.loads(body)["order_id"] for body in bodies(kitchen["queue"].dlq_url)] == ["o-9"]


def test_each_message_is_processed_in_a_span_linked_to_its_producer(kitchen, spans):
    with tracing.tracer("order-outbox").start_as_current_span("order-events send", kind=SpanKind.PRODUCER) as producer:
        kitchen["publish"](placed("o-1"), "o-1")
    kitchen["mapping"].drain()
    (record_span,) = [span for span in spans.get_finished_spans() if span.kind == SpanKind.CONSUMER and span.parent and not span.parent.is_remote]
    assert record_span.links[0].context.span_id == producer.get_span_context().span_id


@pytest.mark.parametrize(
    "body, field",
    [
        ("not json", "body"),
        ("[1]", "body"),
        (json.dumps({"event_type": "OrderShipped"}), "event_type"),
        (json.dumps({"event_type": "OrderPlaced"}), "order"),
        (json.dumps({"event_type": "OrderPlaced", "order": {"order_id": "o", "items": []}}), "order.items"),
        (json.dumps({"event_type": "OrderPlaced", "order": {"order_id": "o", "items": [{"sku": "a", "quantity": 0}]}}), "order.items[0].quantity"),
        (json.dumps({"event_type": "OrderPlaced", "order": {"order_id": "o o", "items": [{"sku": "a", "quantity": 1}]}}), "order.order_id"),
        (json.dumps({**paid("o"), "payment_id": None}), "payment_id"),
        (json.dumps({**paid("o"), "total": "12.345"}), "total"),
        (json.dumps({**paid("o"), "total": True}), "total"),
        (json.dumps({**paid("o"), "currency": "eur"}), "currency"),
    ],
)
def test_anything_but_a_well_formed_order_event_is_refused_naming_the_field(body, field):
    with pytest.raises(NotAnOrderEvent) as refused:
        parse(body)
    assert str(refused.value).startswith(field)


def test_an_sns_envelope_is_unwrapped():
    envelope = {"Type": "Notification", "MessageId": "m", "Message": json.dumps(paid("o-1"))}
    event = parse(json.dumps(envelope))
    assert isinstance(event, OrderPaid) and event.order_id == "o-1" and str(event.total) == "5.00"


@given(st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), st.integers(1, 1000)), min_size=1, max_size=50),
       st.sampled_from([True, False]))
def test_every_well_formed_order_placed_is_read_back_exactly(items, wrapped):
    body = json.dumps(placed("o-1", *items))
    if wrapped:
        body = json.dumps({"Type": "Notification", "Message": body})
    event = parse(body)
    assert isinstance(event, OrderPlaced) and list(event.items) == items
