"""The order outbox on the orders table's moto stream, through the harness's stream mapping."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.trace import SpanKind

from handlers import boto_clients
from handlers.order_outbox.events import NotAnOrder, body, public_order
from handlers.telemetry.propagation import item_trace_context
from handlers.telemetry.tracing import tracing
from tests.handlers.telemetry.helpers import REGION, parse_output
from tests.harness.aws_resources import bodies, make_queue, receive_all, subscribe_queue
from tests.harness.cafe_tables import IDEMPOTENCY_TABLE, ORDERS_TABLE, idempotency_table, orders_table, put_order, sample_order

FUNCTION = "platform-test-order-outbox-function"
BUS = "platform-test-order-routing"
ORDER_ID = "0b9a0f6e-5c1e-4c8e-9a57-3d3f2b1c0a01"


@pytest.fixture
def cafe(lambda_harness, monkeypatch):
    """Orders table with its stream, the FIFO topic with a FIFO queue on it, the bus with a queue
    behind a rule, and the outbox deployed behind a stream mapping as the component wires it."""
    monkeypatch.setattr(boto_clients, "_clients", {})
    stream = orders_table()
    idempotency_table()
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="platform-test-order-events.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    kitchen = make_queue("platform-test-kitchen", fifo=True)
    subscribe_queue(topic, kitchen)
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name=BUS)
    routed = make_queue("platform-test-routed")
    events.put_rule(Name="order-placed", EventBusName=BUS, EventPattern=json.dumps({"source": ["cafe.orders"], "detail-type": ["OrderPlaced"]}))
    events.put_targets(Rule="order-placed", EventBusName=BUS, Targets=[{"Id": "routed", "Arn": routed.arn}])
    failures = make_queue("platform-test-outbox-failures")
    lambda_harness.deploy(FUNCTION, "handlers.order_outbox.app.handler", service="order-outbox",
                          environment={"ORDER_EVENTS_TOPIC_ARN": topic, "EVENT_BUS_NAME": BUS, "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE})
    mapping = lambda_harness.create_event_source_mapping(
        FunctionName=FUNCTION, EventSourceArn=stream, StartingPosition="TRIM_HORIZON", BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"], BisectBatchOnFunctionError=True, MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": failures.arn}})
    return {"mapping": mapping, "kitchen": kitchen, "routed": routed, "failures": failures, "topic": topic, "harness": lambda_harness}


def placed_in_a_traced_request(order_id: str = ORDER_ID):
    """Writes the order as the orders API does: inside the request's span, with its trace context."""
    with tracing.tracer("orders").start_as_current_span("POST /orders", kind=SpanKind.SERVER) as request:
        put_order(sample_order(order_id, trace_context=item_trace_context()))
    return request.get_span_context()


def test_an_insert_publishes_order_placed_to_the_topic_and_the_bus(cafe):
    placed_in_a_traced_request()

    (result,) = cafe["mapping"].drain()

    assert result.action == "checkpointed"
    (message,) = receive_all(cafe["kitchen"].url)
    assert json.loads(message["Body"]) == {"event_type": "OrderPlaced", "order": {
        "order_id": ORDER_ID, "customer_id": "c-1", "currency": "EUR", "total": 7.5, "status": "placed",
        "created_at": "2026-03-14T09:15:00.000Z",
        "items": [{"sku": "espresso", "quantity": 2, "unit_price": 2.5}, {"sku": "latte", "quantity": 1, "unit_price": 2.5}]}}
    assert message["Attributes"]["MessageGroupId"] == ORDER_ID
    assert message["Attributes"]["MessageDeduplicationId"] == f"OrderPlaced-{ORDER_ID}"
    assert message["MessageAttributes"]["event_type"]["StringValue"] == "OrderPlaced"
    (routed,) = receive_all(cafe["routed"].url)
    event = json.loads(routed["Body"])
    assert event["source"] == "cafe.orders" and event["detail-type"] == "OrderPlaced"
    assert event["detail"]["order"]["order_id"] == ORDER_ID and "_trace_context" in event["detail"]


def test_the_sends_belong_to_the_orders_trace_and_link_to_the_relaying_record(cafe, spans):
    request = placed_in_a_traced_request()

    cafe["mapping"].drain()

    finished = spans.get_finished_spans()
    sends = {span.name: span for span in finished if span.kind == SpanKind.PRODUCER}
    assert set(sends) == {"platform-test-order-events.fifo send", f"{BUS} send"}
    (record_span,) = [span for span in finished if span.name.endswith("process") and span.parent and not span.parent.is_remote]
    assert record_span.links[0].context.span_id == request.span_id  # the relay links to the order...
    for send in sends.values():
        assert send.context.trace_id == request.trace_id and send.parent.span_id == request.span_id  # ...and the sends are in its trace
        assert send.links[0].context.span_id == record_span.context.span_id
    (message,) = receive_all(cafe["kitchen"].url)
    traceparent = message["MessageAttributes"]["traceparent"]["StringValue"]
    topic_send = sends["platform-test-order-events.fifo send"]
    assert traceparent == f"00-{request.trace_id:032x}-{topic_send.context.span_id:016x}-01"
    detail = json.loads(receive_all(cafe["routed"].url)[0]["Body"])["detail"]
    assert detail["_trace_context"]["traceparent"].split("-")[1] == f"{request.trace_id:032x}"


def test_an_update_of_an_order_publishes_nothing(cafe):
    placed_in_a_traced_request()
    cafe["mapping"].drain()
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=ORDERS_TABLE, Key={"order_id": {"S": ORDER_ID}}, UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "paid"}})
    (result,) = cafe["mapping"].drain()
    assert result.records[0]["eventName"] == "MODIFY" and result.action == "checkpointed"
    assert len(receive_all(cafe["kitchen"].url)) == 1 and len(receive_all(cafe["routed"].url)) == 1


def test_a_redelivered_record_publishes_once(cafe):
    placed_in_a_traced_request()
    (result,) = cafe["mapping"].drain()
    again = cafe["harness"].invoke(FUNCTION, {"Records": result.records})  # the same batch, delivered again

    assert again.outcome.json() == {"batchItemFailures": []}
    assert len(receive_all(cafe["kitchen"].url)) == 1 and len(receive_all(cafe["routed"].url)) == 1


def test_a_bus_that_refuses_is_retried_without_publishing_to_the_topic_twice(cafe, lambda_harness):
    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        "SERVICE_NAME": "order-outbox", "ORDER_EVENTS_TOPIC_ARN": cafe["topic"], "EVENT_BUS_NAME": "platform-test-missing-bus",
        "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE}})
    placed_in_a_traced_request()

    first = cafe["mapping"].poll()
    assert first.verdict.kind == "failure"  # the only record of the batch failed: raised, to be retried or bisected
    assert first.invocation.outcome.json()["errorType"] == "FirstRecordFailed"
    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        "SERVICE_NAME": "order-outbox", "ORDER_EVENTS_TOPIC_ARN": cafe["topic"], "EVENT_BUS_NAME": BUS, "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE}})
    assert cafe["mapping"].poll().action == "checkpointed"

    assert len(receive_all(cafe["kitchen"].url)) == 1  # the topic accepted it the first time, and only then
    assert len(receive_all(cafe["routed"].url)) == 1


def test_a_poison_record_goes_alone_to_the_failure_destination_and_the_others_are_published(cafe):
    good = ["1a000000-0000-4000-8000-000000000001", "2a000000-0000-4000-8000-000000000002", "3a000000-0000-4000-8000-000000000003"]
    placed_in_a_traced_request(good[0])
    put_order(sample_order("not an id!"))  # what no orders API would write: an id SNS cannot group by
    placed_in_a_traced_request(good[1])
    placed_in_a_traced_request(good[2])

    results = cafe["mapping"].drain()

    published = sorted(json.loads(message["Body"])["order"]["order_id"] for message in receive_all(cafe["kitchen"].url))
    assert published == good  # nothing blocked behind the poison, nothing published twice
    (failure,) = [json.loads(body) for body in bodies(cafe["failures"].url)]
    info = failure["DDBStreamBatchInfo"]
    (discarded,) = [result for result in results if result.action == "discarded"]
    assert info["batchSize"] == 1 and info["startSequenceNumber"] == discarded.records[0]["dynamodb"]["SequenceNumber"]
    assert discarded.records[0]["dynamodb"]["Keys"]["order_id"]["S"] == "not an id!"


def test_missing_configuration_fails_the_record_with_its_name(cafe, lambda_harness, capsys):
    lambda_harness.lambda_client.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": {
        "SERVICE_NAME": "order-outbox", "EVENT_BUS_NAME": BUS, "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE}})
    placed_in_a_traced_request()
    assert cafe["mapping"].poll().verdict.kind == "failure"
    (failed,) = [line for line in parse_output(capsys.readouterr().out).logs if line["message"] == "record failed"]
    assert "ORDER_EVENTS_TOPIC_ARN is not set" in failed["exception"]


IMAGE = sample_order(ORDER_ID)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"order_id": "not an id!"}, "order_id"),
        ({"customer_id": None}, "customer_id"),
        ({"currency": "euro"}, "currency"),
        ({"total": "7.50"}, "total"),
        ({"items": []}, "items"),
        ({"items": "two coffees"}, "items"),
        ({"items": [{"quantity": Decimal(1), "unit_price": Decimal(1)}]}, "items[0].sku"),
        ({"items": [{"sku": "a", "quantity": Decimal("0.5"), "unit_price": Decimal(1)}]}, "items[0].quantity"),
        ({"items": [{"sku": "a", "quantity": Decimal(1), "unit_price": Decimal(-1)}]}, "items[0].unit_price"),
    ],
)
def test_an_image_subscribers_could_not_read_is_refused_naming_the_field(change, field):
    with pytest.raises(NotAnOrder) as refused:
        public_order({**IMAGE, **change})
    assert str(refused.value).startswith(f"{field}:")


@given(st.lists(st.tuples(st.integers(1, 1000), st.decimals(min_value=0, max_value=1_000_000, places=2)), min_size=1, max_size=50))
def test_amounts_reach_subscribers_exactly(lines):
    items = [{"sku": f"s{index}", "quantity": Decimal(quantity), "unit_price": price} for index, (quantity, price) in enumerate(lines)]
    total = sum((price * quantity for quantity, price in lines), Decimal(0))
    sent = json.loads(body(public_order({**IMAGE, "items": items, "total": total})), parse_float=Decimal)["order"]
    assert Decimal(str(sent["total"])) == total
    assert [(item["quantity"], Decimal(str(item["unit_price"]))) for item in sent["items"]] == lines
