"""Trace continuity across real (moto) AWS hops: API → Lambda → SQS/SNS/EventBridge/Step Functions/Kinesis/DynamoDB stream → Lambda.

Lambda itself is simulated: the test sets `_X_AMZN_TRACE_ID` the way the Lambda service would
(the API Gateway trace for the API function, a fresh trace for an SQS poller invocation, the
execution's trace for a Step Functions task) and builds the event the way the service would.
"""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from opentelemetry.trace import SpanKind

from handlers.telemetry import instrument, logger
from handlers.telemetry.batch import process_dynamodb_batch, process_kinesis_batch, process_sqs_batch
from handlers.telemetry.propagation import (
    inject_eventbridge,
    inject_payload,
    inject_sns,
    inject_sqs,
    inject_stepfunctions,
    item_trace_context,
    publish_span,
    strip_trace_context,
)
from tests.handlers.telemetry.helpers import REGION, XRAY_HEADER, XRAY_ROOT, FakeLambdaContext, api_event, receive_all, sqs_event_from_messages

API_TRACE_ID = int(XRAY_ROOT[2:].replace("-", ""), 16)
POLLER_HEADER = "Root=1-6a6a6a6a-0123456789abcdef01234567;Parent=1111111111111111;Sampled=1"
POLLER_TRACE_ID = 0x6A6A6A6A0123456789ABCDEF01234567


def queue(sqs, name: str, **attributes) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def by_name(spans, name):
    found = [span for span in spans.get_finished_spans() if span.name == name]
    assert found, [span.name for span in spans.get_finished_spans()]
    return found


def consume(monkeypatch, event, seen: list):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", POLLER_HEADER)

    @instrument(service="fulfilment")
    def consumer(event, context):
        def handle(record):
            body = json.loads(record.body)
            logger.info("fulfilling", order=body)
            seen.append(body)

        return process_sqs_batch(event, context, handle)

    return consumer(event, FakeLambdaContext(function_name="platform-dev-fulfilment-worker"))


def assert_linked_consumer_spans(spans, producer_span, count: int):
    """Record spans (CONSUMER, local parent) are children of their invocation span and link to the producer."""
    record_spans = [
        span for span in spans.get_finished_spans()
        if span.kind == SpanKind.CONSUMER and span.parent is not None and not span.parent.is_remote
    ]
    assert len(record_spans) == count
    roots = {span.context.span_id: span for span in spans.get_finished_spans() if span.parent is not None and span.parent.is_remote}
    for record_span in record_spans:
        parent = roots[record_span.parent.span_id]
        assert parent.context.trace_id == POLLER_TRACE_ID == record_span.context.trace_id  # child of the invocation span
        (link,) = record_span.links
        assert link.context.trace_id == API_TRACE_ID  # linked to the producer's trace...
        assert link.context.span_id == producer_span.context.span_id  # ...and to the producer span itself


def test_api_to_lambda_to_sqs_to_consumer(aws, monkeypatch, spans):
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = queue(sqs, "platform-test-orders-events")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders")
    def api(event, context):
        with publish_span("platform-test-orders-events", "aws_sqs"):
            sqs.send_message(QueueUrl=url, **inject_sqs({"MessageBody": json.dumps({"order_id": "o1"})}))
        return {"statusCode": 201, "body": "{}"}

    api(api_event("POST", "/orders", {"x": 1}), FakeLambdaContext())
    (api_root,) = by_name(spans, "POST /orders")
    (send,) = by_name(spans, "platform-test-orders-events send")
    assert api_root.context.trace_id == API_TRACE_ID  # continues API Gateway's trace
    assert send.parent.span_id == api_root.context.span_id and send.kind == SpanKind.PRODUCER

    seen: list = []
    result = consume(monkeypatch, sqs_event_from_messages(receive_all(sqs, url), arn), seen)
    assert result == {"batchItemFailures": []} and seen == [{"order_id": "o1"}]
    assert_linked_consumer_spans(spans, send, 1)


@pytest.mark.parametrize("raw", [True, False])
def test_sns_fan_out_to_sqs_raw_and_enveloped(aws, monkeypatch, spans, raw):
    sqs = boto3.client("sqs", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="platform-test-orders-created")["TopicArn"]
    queues = [queue(sqs, f"platform-test-sub-{index}") for index in range(2)]
    for _, arn in queues:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true" if raw else "false"})
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders")
    def api(event, context):
        with publish_span("platform-test-orders-created", "aws_sns"):
            sns.publish(TopicArn=topic, **inject_sns({"Message": json.dumps({"order_id": "o2"})}))

    api(api_event("POST", "/orders"), FakeLambdaContext())
    (send,) = by_name(spans, "platform-test-orders-created send")
    seen: list = []
    for url, arn in queues:
        assert consume(monkeypatch, sqs_event_from_messages(receive_all(sqs, url), arn), seen) == {"batchItemFailures": []}
    assert len(seen) == 2
    if not raw:
        assert all(body["Type"] == "Notification" for body in seen)
    assert_linked_consumer_spans(spans, send, 2)


def test_eventbridge_rule_to_sqs_target(aws, monkeypatch, spans):
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    url, arn = queue(sqs, "platform-test-order-events-target")
    events.put_rule(Name="orders-created", EventPattern=json.dumps({"source": ["platform.orders"]}))
    events.put_targets(Rule="orders-created", Targets=[{"Id": "queue", "Arn": arn}])
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders")
    def api(event, context):
        with publish_span("default", "aws_eventbridge"):
            entry = inject_eventbridge({"Source": "platform.orders", "DetailType": "OrderCreated", "Detail": json.dumps({"order_id": "o3"})})
            assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0

    api(api_event("POST", "/orders"), FakeLambdaContext())
    (send,) = by_name(spans, "default send")
    seen: list = []
    assert consume(monkeypatch, sqs_event_from_messages(receive_all(sqs, url), arn), seen) == {"batchItemFailures": []}
    assert seen[0]["detail"]["order_id"] == "o3"
    assert_linked_consumer_spans(spans, send, 1)


def test_step_functions_input_continues_the_trace_into_the_task(aws, monkeypatch, spans):
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(
        name="platform-test-fulfilment",
        definition=json.dumps({"StartAt": "Pay", "States": {"Pay": {"Type": "Pass", "End": True}}}),
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)
    started: dict = {}

    @instrument(service="orders")
    def api(event, context):
        with publish_span("platform-test-fulfilment", "aws_stepfunctions"):
            kwargs = inject_stepfunctions({"stateMachineArn": machine, "input": json.dumps({"order_id": "o4"})})
            started.update(kwargs)
            return sfn.start_execution(**kwargs)["executionArn"]

    execution = api(api_event("POST", "/orders"), FakeLambdaContext())
    (send,) = by_name(spans, "platform-test-fulfilment send")
    task_input = json.loads(sfn.describe_execution(executionArn=execution)["input"])

    # Step Functions with tracing passes its trace to the Lambda task: same trace id.
    monkeypatch.setenv("_X_AMZN_TRACE_ID", started["traceHeader"].split(";Lineage")[0])
    received: list = []

    @instrument(service="payments")
    def task(event, context):
        received.append(strip_trace_context(event))
        return {"paid": True}

    task(task_input, FakeLambdaContext(function_name="platform-test-payments-charge"))
    (task_root,) = by_name(spans, "platform-test-payments-charge")
    assert received == [{"order_id": "o4"}]
    assert task_root.context.trace_id == API_TRACE_ID
    assert task_root.parent.span_id == send.context.span_id
    (link,) = task_root.links
    assert link.context.span_id == send.context.span_id


def test_lineage_from_lambda_is_kept_when_reinjected(aws, monkeypatch, spans):
    sqs = boto3.client("sqs", region_name=REGION)
    url, arn = queue(sqs, "platform-test-lineage")
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER + ";Lineage=a87bd80c:1")

    @instrument(service="orders")
    def api(event, context):
        sqs.send_message(QueueUrl=url, **inject_sqs({"MessageBody": "{}"}))

    api({}, FakeLambdaContext())
    (message,) = receive_all(sqs, url)
    assert message["Attributes"]["AWSTraceHeader"].endswith(";Lineage=a87bd80c:1")


def stream_consumer_spans(spans) -> list:
    return [span for span in spans.get_finished_spans() if span.kind == SpanKind.CONSUMER and span.parent is not None and not span.parent.is_remote]


def test_dynamodb_stream_record_links_to_the_request_that_wrote_the_item(aws, monkeypatch, spans):
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    table = dynamodb.create_table(
        TableName="platform-test-orders-table",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="orders")
    def api(event, context):
        order = {"order_id": "o5", "total": "12.50", "trace_context": item_trace_context()}
        dynamodb.put_item(TableName=table["TableName"], Item={key: TypeSerializer().serialize(value) for key, value in order.items()})

    api(api_event("POST", "/orders"), FakeLambdaContext())
    (api_root,) = by_name(spans, "POST /orders")

    # botocore routes stream ARNs to account-based endpoints that moto 5.2.5 does not serve yet.
    streams = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com")
    stream_arn = table["LatestStreamArn"]
    (shard,) = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = [dict(record, eventSourceARN=stream_arn) for record in streams.get_records(ShardIterator=iterator)["Records"]]
    monkeypatch.setenv("_X_AMZN_TRACE_ID", POLLER_HEADER)
    seen: list = []

    @instrument(service="sales-aggregate")
    def aggregate(event, context):
        return process_dynamodb_batch(event, context, lambda record: seen.append(record.dynamodb.new_image["total"]))

    assert aggregate({"Records": records}, FakeLambdaContext(function_name="platform-test-sales-aggregate")) == {"batchItemFailures": []}
    assert seen == ["12.50"]
    (record_span,) = stream_consumer_spans(spans)
    assert record_span.context.trace_id == POLLER_TRACE_ID
    (link,) = record_span.links
    assert (link.context.trace_id, link.context.span_id) == (API_TRACE_ID, api_root.context.span_id)


def test_kinesis_record_links_to_the_producer_span(aws, monkeypatch, spans):
    kinesis = boto3.client("kinesis", region_name=REGION)
    kinesis.create_stream(StreamName="platform-test-clickstream", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="platform-test-clickstream")["StreamDescription"]["StreamARN"]
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY_HEADER)

    @instrument(service="clickstream-api")
    def producer(event, context):
        with publish_span("platform-test-clickstream", "aws_kinesis"):
            data = json.dumps(inject_payload({"session_id": "s1", "page": "/menu"}))
            kinesis.put_record(StreamName="platform-test-clickstream", Data=data.encode(), PartitionKey="s1")

    producer({}, FakeLambdaContext())
    (send,) = by_name(spans, "platform-test-clickstream send")

    (shard,) = kinesis.describe_stream(StreamName="platform-test-clickstream")["StreamDescription"]["Shards"]
    iterator = kinesis.get_shard_iterator(StreamName="platform-test-clickstream", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = [
        {
            "kinesis": {"partitionKey": record["PartitionKey"], "sequenceNumber": record["SequenceNumber"], "data": base64.b64encode(record["Data"]).decode()},
            "eventSource": "aws:kinesis",
            "eventID": f"{shard['ShardId']}:{record['SequenceNumber']}",
            "eventSourceARN": stream_arn,
        }
        for record in kinesis.get_records(ShardIterator=iterator)["Records"]
    ]
    monkeypatch.setenv("_X_AMZN_TRACE_ID", POLLER_HEADER)
    pages: list = []

    @instrument(service="clickstream")
    def consumer(event, context):
        return process_kinesis_batch(event, context, lambda record: pages.append(strip_trace_context(record.kinesis.data_as_json())["page"]))

    assert consumer({"Records": records}, FakeLambdaContext(function_name="platform-test-clickstream-consumer")) == {"batchItemFailures": []}
    assert pages == ["/menu"]
    (record_span,) = stream_consumer_spans(spans)
    (link,) = record_span.links
    assert (link.context.trace_id, link.context.span_id) == (API_TRACE_ID, send.context.span_id)
