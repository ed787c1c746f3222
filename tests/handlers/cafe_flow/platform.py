"""The café of docs/cafe.md, stood up in moto with the real handlers behind the harness.

Resources are created as the components declare them (tables and keys, the FIFO topic with a
FIFO queue for the kitchen and a filtered standard queue for loyalty, DLQs with a redrive
policy, the event bus, the e-mail topics), functions get the environment docs/cafe.md lists, and
event source mappings use the settings the TableStream and QueueWorker components use
(partial batch responses; for streams bisecting, bounded retries and an on-failure queue).
E-mail subscribers are stood for by a queue subscribed to the topic, which receives exactly what
SNS would e-mail (subject and message).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import jwt

from tests.handlers.telemetry.helpers import REGION, api_event
from tests.harness import LambdaHarness
from tests.harness.aws_resources import Queue, make_queue, subscribe_queue, topic_with_inbox
from tests.harness import cafe_tables
from tests.harness.cafe_tables import KITCHEN_TABLE, LOYALTY_TABLE, ORDERS_TABLE, SALES_TABLE, kitchen_table, loyalty_table, orders_table, sales_table

ZONE = "Europe/Paris"
AUDIENCE = "cafe-orders"
SIGNING_KEY = "a café signing key of at least thirty-two bytes"
MAX_RECEIVES = 3
STREAM_RETRIES = 2
FUNCTIONS = {
    "authorizer": "platform-test-orders-authorizer",
    "orders": "platform-test-orders-api",
    "outbox": "platform-test-order-outbox-function",
    "sales": "platform-test-sales-aggregate-function",
    "kitchen": "platform-test-kitchen-worker",
    "loyalty": "platform-test-loyalty-worker",
    "extractor": "platform-test-data-extractor-function",
    "report": "platform-test-daily-sales-report-job",
}


def idempotency_table(service: str) -> str:
    """Each component that asks for idempotency gets its own table."""
    return cafe_tables.idempotency_table(f"platform-test-{service}-idempotency")


@dataclass
class Cafe:
    harness: LambdaHarness
    mappings: dict[str, Any] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)

    def token(self, subject: str = "customer-42") -> str:
        return jwt.encode({"sub": subject, "aud": AUDIENCE, "exp": int(time.time()) + 300}, SIGNING_KEY, algorithm="HS256")

    def post_order(self, body: dict[str, Any], token: str | None = None) -> tuple[int, dict[str, Any]]:
        """What API Gateway does for POST /orders: the Gatekeeper first, then the proxy integration."""
        authorizer = self.harness.invoke(FUNCTIONS["authorizer"], {
            "type": "TOKEN", "authorizationToken": f"Bearer {token or self.token()}",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:cafe123/v1/POST/orders"}).outcome.json()
        if authorizer["policyDocument"]["Statement"][0]["Effect"] != "Allow":
            return 403, {"message": "User is not authorized to access this resource with an explicit deny"}
        event = api_event("POST", "/orders", body, resource="/orders")
        event["requestContext"]["authorizer"] = {"principalId": authorizer["principalId"], **authorizer["context"]}
        answer = self.harness.invoke(FUNCTIONS["orders"], event).outcome.json()
        return answer["statusCode"], json.loads(answer["body"])

    def drain(self, *names: str) -> dict[str, list[Any]]:
        return {name: self.mappings[name].drain() for name in names}

    def run_report(self, scheduled_time: str) -> Any:
        """As EventBridge Scheduler runs it: an asynchronous invoke with the schedule's input."""
        self.harness.invoke(FUNCTIONS["report"], {"scheduled_time": scheduled_time}, invocation_type="Event")
        (run,) = self.harness.run_async()
        return run


def build(harness: LambdaHarness) -> Cafe:
    cafe = Cafe(harness)
    orders_stream = orders_table()
    sales_table()
    kitchen_table()
    loyalty_table()
    secret = boto3.client("secretsmanager", region_name=REGION).create_secret(Name="platform-test-auth", SecretString=SIGNING_KEY)["ARN"]

    sns = boto3.client("sns", region_name=REGION)
    cafe.topics["order-events"] = sns.create_topic(Name="platform-test-order-events.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    cafe.queues["kitchen"] = make_queue("platform-test-kitchen-queue", fifo=True, max_receive_count=MAX_RECEIVES)
    cafe.queues["loyalty"] = make_queue("platform-test-loyalty-queue", max_receive_count=MAX_RECEIVES)
    subscribe_queue(cafe.topics["order-events"], cafe.queues["kitchen"])
    subscribe_queue(cafe.topics["order-events"], cafe.queues["loyalty"], filter_policy={"event_type": ["OrderPaid"]})
    cafe.topics["high-balance-alert"], cafe.queues["high-balance-mail"] = topic_with_inbox("platform-test-high-balance-alert")
    cafe.topics["sales-report"], cafe.queues["report-mail"] = topic_with_inbox("platform-test-sales-report")

    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name="platform-test-order-routing")
    cafe.queues["fulfilment-input"] = make_queue("platform-test-fulfilment-input")  # where the order-placed rule's target would start the workflow
    events.put_rule(Name="order-placed", EventBusName="platform-test-order-routing",
                    EventPattern=json.dumps({"source": ["cafe.orders"], "detail-type": ["OrderPlaced"]}))
    events.put_targets(Rule="order-placed", EventBusName="platform-test-order-routing",
                       Targets=[{"Id": "fulfilment", "Arn": cafe.queues["fulfilment-input"].arn}])
    cafe.queues["outbox-failures"] = make_queue("platform-test-order-outbox-failures")
    cafe.queues["sales-failures"] = make_queue("platform-test-sales-aggregate-failures")

    deploy = harness.deploy
    deploy(FUNCTIONS["authorizer"], "handlers.authorizer.app.handler", service="orders",
           environment={"AUTH_SECRET_ARN": secret, "AUTH_AUDIENCE": AUDIENCE})
    deploy(FUNCTIONS["orders"], "handlers.orders.app.handler", service="orders",
           environment={"TABLE_NAME": ORDERS_TABLE, "IDEMPOTENCY_TABLE": idempotency_table("orders")})
    deploy(FUNCTIONS["outbox"], "handlers.order_outbox.app.handler", service="order-outbox", environment={
        "ORDER_EVENTS_TOPIC_ARN": cafe.topics["order-events"], "EVENT_BUS_NAME": "platform-test-order-routing",
        "IDEMPOTENCY_TABLE": idempotency_table("order-outbox")})
    deploy(FUNCTIONS["sales"], "handlers.sales_aggregate.app.handler", service="sales-aggregate", environment={
        "TABLE_NAME": SALES_TABLE, "HIGH_BALANCE_TOPIC_ARN": cafe.topics["high-balance-alert"], "HIGH_VALUE_THRESHOLD": "100",
        "CAFE_TIME_ZONE": ZONE, "IDEMPOTENCY_TABLE": idempotency_table("sales-aggregate")})
    deploy(FUNCTIONS["kitchen"], "handlers.kitchen.app.handler", service="kitchen", environment={"TABLE_NAME": KITCHEN_TABLE})
    deploy(FUNCTIONS["loyalty"], "handlers.loyalty.app.handler", service="loyalty",
           environment={"TABLE_NAME": LOYALTY_TABLE, "IDEMPOTENCY_TABLE": idempotency_table("loyalty")})
    deploy(FUNCTIONS["extractor"], "handlers.data_extractor.app.handler", service="data-extractor", environment={"SALES_TABLE_NAME": SALES_TABLE})
    deploy(FUNCTIONS["report"], "handlers.daily_report.app.handler", service="daily-sales-report", environment={
        "DATA_EXTRACTOR_FUNCTION": FUNCTIONS["extractor"], "REPORT_TOPIC_ARN": cafe.topics["sales-report"], "CAFE_TIME_ZONE": ZONE,
        "IDEMPOTENCY_TABLE": idempotency_table("daily-sales-report")})

    stream = {"EventSourceArn": orders_stream, "StartingPosition": "TRIM_HORIZON", "BatchSize": 10,
              "FunctionResponseTypes": ["ReportBatchItemFailures"], "BisectBatchOnFunctionError": True,
              "MaximumRetryAttempts": STREAM_RETRIES}
    cafe.mappings["outbox"] = harness.create_event_source_mapping(
        FunctionName=FUNCTIONS["outbox"], DestinationConfig={"OnFailure": {"Destination": cafe.queues["outbox-failures"].arn}}, **stream)
    cafe.mappings["sales"] = harness.create_event_source_mapping(
        FunctionName=FUNCTIONS["sales"], DestinationConfig={"OnFailure": {"Destination": cafe.queues["sales-failures"].arn}}, **stream)
    for worker in ("kitchen", "loyalty"):
        cafe.mappings[worker] = harness.create_event_source_mapping(
            FunctionName=FUNCTIONS[worker], EventSourceArn=cafe.queues[worker].arn, BatchSize=10,
            FunctionResponseTypes=["ReportBatchItemFailures"])
    return cafe
