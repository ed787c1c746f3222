"""The loyalty worker behind its queue on the order-events topic (OrderPaid filter), via the harness."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers import boto_clients
from handlers.loyalty.points import points_for
from tests.handlers.telemetry.helpers import REGION
from tests.harness.aws_resources import bodies, make_queue, publish_order_event, subscribe_queue
from tests.harness.cafe_tables import IDEMPOTENCY_TABLE, LOYALTY_TABLE, idempotency_table, loyalty_table

FUNCTION = "platform-test-loyalty-worker"


def paid(order_id: str, total: str = "12.50", customer_id: str = "c-1") -> dict:
    return {"event_type": "OrderPaid", "order_id": order_id, "payment_id": f"pay-{order_id}", "total": total, "currency": "EUR", "customer_id": customer_id}


@pytest.fixture
def loyalty(lambda_harness, monkeypatch):
    monkeypatch.setattr(boto_clients, "_clients", {})
    loyalty_table()
    idempotency_table()
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="platform-test-order-events.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queue = make_queue("platform-test-loyalty-queue", max_receive_count=3)  # a standard queue on the FIFO topic, as deployed
    subscribe_queue(topic, queue, filter_policy={"event_type": ["OrderPaid"]})
    lambda_harness.deploy(FUNCTION, "handlers.loyalty.app.handler", service="loyalty",
                          environment={"TABLE_NAME": LOYALTY_TABLE, "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE})
    mapping = lambda_harness.create_event_source_mapping(FunctionName=FUNCTION, EventSourceArn=queue.arn, BatchSize=10,
                                                         FunctionResponseTypes=["ReportBatchItemFailures"])

    def publish(document: dict, dedup: str | None = None) -> None:
        group = document.get("order_id") or document.get("order", {}).get("order_id") or "none"
        publish_order_event(topic, document, group=group, dedup=dedup)

    return {"mapping": mapping, "queue": queue, "publish": publish}


def account(customer_id: str) -> dict | None:
    item = boto3.client("dynamodb", region_name=REGION).get_item(TableName=LOYALTY_TABLE, Key={"customer_id": {"S": customer_id}}, ConsistentRead=True).get("Item")
    return None if item is None else {"points": int(item["points"]["N"]), "last_order_id": item["last_order_id"]["S"]}


def test_each_paid_order_earns_a_point_per_whole_unit(loyalty):
    loyalty["publish"](paid("o-1", "12.50"))
    loyalty["publish"](paid("o-2", "3.99"))
    loyalty["mapping"].drain()
    assert account("c-1") == {"points": 15, "last_order_id": "o-2"}


def test_only_order_paid_reaches_loyalty(loyalty):
    loyalty["publish"]({"event_type": "OrderPlaced", "order": {"order_id": "o-1", "items": [{"sku": "a", "quantity": 1}]}})
    assert loyalty["mapping"].drain() == []  # the subscription's filter policy kept it out


def test_the_same_order_paid_twice_is_credited_once(loyalty):
    loyalty["publish"](paid("o-1"))
    loyalty["publish"](paid("o-1"), dedup="a second delivery")
    results = loyalty["mapping"].drain()
    assert sum(len(result.records) for result in results) == 2 and account("c-1")["points"] == 12


def test_a_replay_after_the_idempotency_record_expired_is_still_credited_once(loyalty):
    loyalty["publish"](paid("o-1"))
    loyalty["mapping"].drain()
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for item in dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]:
        dynamodb.delete_item(TableName=IDEMPOTENCY_TABLE, Key={"id": item["id"]})  # as if TTL had removed it
    loyalty["publish"](paid("o-1"), dedup="replayed from the DLQ days later")
    loyalty["mapping"].drain()
    assert account("c-1")["points"] == 12


def test_poison_messages_reach_the_dlq_and_never_hold_back_the_others(loyalty):
    loyalty["publish"](paid("o-1", "10.00"))
    loyalty["publish"](paid("o-bad", "10.005"))  # more than two decimals
    loyalty["publish"]({**paid("o-anon"), "customer_id": None})
    loyalty["publish"](paid("o-2", "5.00", customer_id="c-2"))

    loyalty["mapping"].drain()

    assert account("c-1")["points"] == 10 and account("c-2")["points"] == 5
    assert sorted(json.loads(body)["order_id"] for body in bodies(loyalty["queue"].dlq_url)) == ["o-anon", "o-bad"]


def test_an_order_placed_that_slips_through_is_refused(lambda_harness, loyalty):
    event = {"Records": [{"messageId": "m-1", "receiptHandle": "h", "body": json.dumps({"event_type": "OrderPlaced", "order": {
        "order_id": "o-1", "items": [{"sku": "a", "quantity": 1}]}}), "attributes": {}, "messageAttributes": {},
        "eventSource": "aws:sqs", "eventSourceARN": loyalty["queue"].arn, "awsRegion": REGION}]}
    assert lambda_harness.invoke(FUNCTION, event).outcome.json() == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_points_are_the_whole_units_of_the_total(total):
    assert points_for(total) == int(total) and 0 <= total - points_for(total) < 1
