"""The café reference platform (docs/cafe.md): every service is a few lines; observability comes with it."""
from components.platform import Platform
from components.services.container_service import ContainerServiceArgs, Image
from components.services.event_route import EventRouteArgs, InputTransformer, Rule, WorkflowTarget
from components.services.function import FunctionArgs
from components.services.http_service import HttpServiceArgs, Route, TableSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.rest_api import Ingest, UsagePlan
from components.services.scheduled_job import ScheduledJobArgs
from components.services.stream_pipeline import Archive, StreamPipelineArgs
from components.services.table_stream import TableStreamArgs
from components.services.topic import EmailSubscriber, QueueSubscriber, TopicArgs
from components.services.workflow import WorkflowArgs
from handlers.contracts import CLICK_SCHEMA, PAYMENT_WEBHOOK_SCHEMA
from handlers.fulfilment.definition import definition as fulfilment_definition

platform = Platform()
cafe = platform.settings.cafe
GET, PUT, UPDATE, QUERY = "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"

# The orders API, behind the Gatekeeper; its table's stream is the outbox of everything that follows.
orders = platform.add("orders", HttpServiceArgs(
    handler="handlers.orders.app.handler", environment={"CAFE_CURRENCY": cafe.currency},
    routes=[Route("POST", "/orders"), Route("GET", "/orders"), Route("GET", "/orders/{order_id}")],
    table=TableSpec(hash_key="order_id", stream="NEW_IMAGE", actions=(PUT, GET, "dynamodb:Scan")),
    idempotency=True,
    authorizer=FunctionArgs(handler="handlers.authorizer.app.handler", environment={"AUTH_AUDIENCE": "cafe-orders"},
                            secrets={"AUTH_SECRET_ARN": cafe.auth_secret}),
    description="Café orders: create, get and list",
))

# Order events fan out: the kitchen in order per order (FIFO), loyalty only once an order is paid.
kitchen = platform.add("kitchen", QueueWorkerArgs(
    handler="handlers.kitchen.app.handler", fifo=True, description="Kitchen tickets, in order per order",
    tables=[TableSpec(hash_key="order_id", actions=(PUT, UPDATE))]))
loyalty = platform.add("loyalty", QueueWorkerArgs(
    handler="handlers.loyalty.app.handler", description="Loyalty points for paid orders", idempotency=True,
    tables=[TableSpec(hash_key="customer_id", actions=(UPDATE,))]))
order_events = platform.add("order-events", TopicArgs(fifo=True, subscribers=[
    QueueSubscriber(worker=kitchen),
    QueueSubscriber(worker=loyalty, filter_policy={"event_type": ["OrderPaid"]})]))

# Fulfilment: a Saga with compensation and a circuit breaker around the payment provider.
payments = {"CIRCUIT_FAILURE_THRESHOLD": "3", "CIRCUIT_OPEN_SECONDS": "60",
            "PAYMENT_PROVIDER_URL": cafe.payment_provider_url}
fulfilment = platform.add("fulfilment", WorkflowArgs(
    definition=fulfilment_definition(),
    tasks={"validate": FunctionArgs(handler="handlers.fulfilment.validate.handler", tables=()),
           "reserve_stock": FunctionArgs(handler="handlers.fulfilment.reserve_stock.handler", tables=["stock"]),
           "release_stock": FunctionArgs(handler="handlers.fulfilment.release_stock.handler", tables=["stock"]),
           "charge_payment": FunctionArgs(handler="handlers.fulfilment.charge_payment.handler", tables=["circuit"],
                                          environment=payments),
           "refund_payment": FunctionArgs(handler="handlers.fulfilment.refund_payment.handler", tables=["circuit"],
                                          environment=payments)},
    topics={"order-events": order_events},
    tables=[TableSpec(hash_key="sku", part="stock", env_var="STOCK_TABLE", ttl_attribute="expires_at",
                      actions=(GET, PUT, UPDATE)),
            TableSpec(hash_key="circuit", part="circuit", env_var="CIRCUIT_TABLE", actions=(GET, UPDATE))],
    description="Validate, reserve stock, charge, tell the kitchen; compensate on failure"))
order_routing = platform.add("order-routing", EventRouteArgs(rules=[Rule(
    "order-placed", {"source": ["cafe.orders"], "detail-type": ["OrderPlaced"]},
    targets=[WorkflowTarget(name="fulfilment", workflow=fulfilment,
                            input_transformer=InputTransformer({"detail": "$.detail"}, "<detail>"))])]))
platform.add("order-outbox", TableStreamArgs(
    source=orders.tables["table"], handler="handlers.order_outbox.app.handler", event_names=["INSERT"],
    idempotency=True, description="Publishes OrderPlaced for every stored order",
    access=[order_events.publish_access("ORDER_EVENTS_TOPIC_ARN"), order_routing.put_access("EVENT_BUS_NAME")]))

# Daily totals per product, kept eventually consistent from the orders stream; big orders raise an alert.
high_balance = platform.add("high-balance-alert", TopicArgs(subscribers=[
    EmailSubscriber(addresses=cafe.high_balance_emails)]))
sales = platform.add("sales-aggregate", TableStreamArgs(
    source=orders.tables["table"], handler="handlers.sales_aggregate.app.handler", event_names=["INSERT"],
    idempotency=True, description="Daily totals per product",
    tables=[TableSpec(hash_key="day", range_key="sku", ttl_attribute="expires_at", actions=(PUT, UPDATE))],
    environment={"HIGH_VALUE_THRESHOLD": f"{cafe.high_value_order_threshold:g}", "CAFE_TIME_ZONE": cafe.time_zone,
                 "CAFE_CURRENCY": cafe.currency},
    access=[high_balance.publish_access("HIGH_BALANCE_TOPIC_ARN")]))

# The daily e-mail report the café asked for: schedule -> report job -> data extractor -> SNS e-mail.
extractor = platform.add("data-extractor", InternalFunctionArgs(
    handler="handlers.data_extractor.app.handler", low_traffic=True, description="One day of sales totals",
    access=[sales.tables["table"].read_access("SALES_TABLE_NAME", actions=(QUERY,))]))
report = platform.add("sales-report", TopicArgs(subscribers=[EmailSubscriber(addresses=cafe.report_emails)]))
platform.add("daily-sales-report", ScheduledJobArgs(
    handler="handlers.daily_report.app.handler", schedule=cafe.daily_report_schedule, time_zone=cafe.time_zone,
    idempotency=True, description="Yesterday's sales, e-mailed every morning",
    payload={"scheduled_time": "<aws.scheduler.scheduled-time>"},
    environment={"CAFE_TIME_ZONE": cafe.time_zone},
    access=[extractor.invoke_access("DATA_EXTRACTOR_FUNCTION"), report.publish_access("REPORT_TOPIC_ARN")]))

# The payment provider's webhook: API -> queue, then a throttled worker that checks the signature.
platform.add("payment-webhook", QueueWorkerArgs(
    handler="handlers.payment_webhook.app.handler", max_concurrency=2,
    description="Verifies and records payment provider events",
    tables=[TableSpec(hash_key="payment_id", actions=(PUT,))],
    secrets={"WEBHOOK_SECRET_ARN": cafe.webhook_secret},
    ingest=Ingest(path="/webhooks/payment", schema=PAYMENT_WEBHOOK_SCHEMA,
                  headers_to_attributes={"X-Signature": "signature"})))

# Clickstream: API -> Kinesis (API key), a consumer counting page views, and a Firehose archive in S3.
platform.add("clickstream", StreamPipelineArgs(
    handler="handlers.clickstream.app.handler", archive=Archive(), description="Page views per minute",
    tables=[TableSpec(hash_key="page", range_key="minute", ttl_attribute="expires_at", actions=(PUT, UPDATE))],
    ingest=Ingest(path="/clicks", auth="api_key", schema=CLICK_SCHEMA, partition_key="$.session_id",
                  usage_plan=UsagePlan(keys=("web",), rate_limit=100, burst_limit=200))))

# The menu, in containers (seed 001's ECS on Fargate): an HTTP app behind a load balancer, its own table.
platform.add("menu", ContainerServiceArgs(
    image=Image(context="services/menu"), port=8080, health_check_path="/health",
    description="Café menu items, served from a container",
    tables=[TableSpec(hash_key="item_id", env_var="MENU_TABLE", actions=(GET, "dynamodb:Scan"))]))

platform.finish()
