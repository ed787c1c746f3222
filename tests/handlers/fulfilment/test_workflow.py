"""The fulfilment definition executed by moto's Step Functions interpreter, its Task states
running the real task handlers through the harness, against moto DynamoDB and SNS and the fake
payment provider on 127.0.0.1 (issue 7 §5).

moto's interpreter sleeps for real between retries; `VirtualTime` turns those sleeps into a
clock the circuit breaker reads, so a 30 s wait is instant and still lets an open circuit expire.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

import boto3
import pytest
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from components.services.workflow_plan import substitute
from handlers.fulfilment import circuit as circuit_module
from handlers.fulfilment import definition as workflow
from tests.handlers.fulfilment.conftest import CIRCUIT_TABLE, OPEN_SECONDS, STOCK_TABLE, THRESHOLD, circuit_item, create_tables, empty, set_stock, stock_of
from tests.handlers.fulfilment.payment_provider import FakePaymentProvider
from tests.handlers.fulfilment.test_order import ORDER
from tests.handlers.mocked_account import mocked_account
from tests.handlers.telemetry.helpers import REGION
from tests.harness import LambdaHarness
from tests.harness.aws_resources import Queue, receive_all, topic_with_inbox

PRODUCER = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"
STOCK_TASKS = ("reserve_stock", "release_stock")
PAYMENT_TASKS = ("charge_payment", "refund_payment")


class VirtualTime:
    """Stands in for `time` in moto's retrier and in the circuit breaker: sleeping advances it."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds

    def time(self) -> float:
        return time.time() + self.offset


@dataclass
class Cafe:
    harness: LambdaHarness
    provider: FakePaymentProvider
    clock: VirtualTime
    dynamodb: Any
    machine_arn: str
    inbox: Queue
    functions: dict[str, str]
    sfn: Any = field(default_factory=lambda: boto3.client("stepfunctions", region_name=REGION))

    def run(self, state: Any, machine_arn: str | None = None) -> dict[str, Any]:
        start = self.sfn.start_execution(stateMachineArn=machine_arn or self.machine_arn, name=uuid.uuid4().hex, input=json.dumps(state))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            described = self.sfn.describe_execution(executionArn=start["executionArn"])
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.005)
        raise AssertionError(f"execution {start['executionArn']} did not finish")

    def machine(self, name: str, topic_arn: str) -> str:
        definition = substitute(workflow.definition(), {**{("function", task): arn for task, arn in self.functions.items()},
                                                         ("topic", "order-events"): topic_arn})
        return self.sfn.create_state_machine(name=name, roleArn=self.harness.role_arn(), definition=json.dumps(definition), type="STANDARD")["stateMachineArn"]

    def tasks_run(self) -> list[str]:
        return [invocation.function_name.removeprefix("platform-test-fulfilment-") for invocation in self.harness.invocations]

    def published(self) -> list[dict[str, Any]]:
        return receive_all(self.inbox.url)

    def reset(self) -> None:
        """A clean café between tests; the deployment is kept, because building it costs more than a test."""
        empty(self.dynamodb, STOCK_TABLE, "sku")
        empty(self.dynamodb, CIRCUIT_TABLE, "circuit")
        set_stock(self.dynamodb, latte=5, cookie=2)
        sqs = boto3.client("sqs", region_name=REGION)
        for message in receive_all(self.inbox.url):  # PurgeQueue may run once a minute only
            sqs.delete_message(QueueUrl=self.inbox.url, ReceiptHandle=message["ReceiptHandle"])
        self.provider.reset()
        self.harness.invocations.clear()
        self.clock.sleeps.clear()


def function_environment(task: str, provider_url: str) -> dict[str, str]:
    """Exactly what docs/cafe.md gives each task function."""
    if task in STOCK_TASKS:
        return {"STOCK_TABLE": STOCK_TABLE}
    if task in PAYMENT_TASKS:
        return {
            "CIRCUIT_TABLE": CIRCUIT_TABLE,
            "PAYMENT_PROVIDER_URL": provider_url,
            "CIRCUIT_FAILURE_THRESHOLD": str(THRESHOLD),
            "CIRCUIT_OPEN_SECONDS": str(OPEN_SECONDS),
        }
    return {}


@pytest.fixture(scope="module")
def deployed() -> Iterator[Cafe]:
    """moto with its Step Functions interpreter, the harness, and the café, deployed once per module."""
    clock = VirtualTime()
    with pytest.MonkeyPatch.context() as patch, FakePaymentProvider() as provider:
        patch.setattr(retrier_decl, "time", clock)
        patch.setattr(circuit_module, "time", clock)
        with mocked_account(stepfunctions={"execute_state_machine": True}), LambdaHarness(region=REGION) as harness:
            dynamodb = boto3.client("dynamodb", region_name=REGION)
            create_tables(dynamodb)
            topic, inbox = topic_with_inbox("platform-test-order-events", fifo=True, raw=True)
            functions = {
                task: harness.deploy(f"platform-test-fulfilment-{task}", f"handlers.fulfilment.{task}.handler", service="fulfilment",
                                     environment=function_environment(task, provider.url))
                for task in workflow.TASKS
            }
            cafe = Cafe(harness, provider, clock, dynamodb, "", inbox, functions)
            cafe.machine_arn = cafe.machine("platform-test-fulfilment", topic)
            yield cafe


@pytest.fixture
def cafe(deployed: Cafe) -> Cafe:
    deployed.reset()
    return deployed


def placed(**changes: Any) -> dict[str, Any]:
    """The execution input the order-placed rule passes (the OrderPlaced detail), for a new order:
    order ids differ between tests, because the provider's keys and the FIFO topic's deduplication
    ids outlive a test."""
    order = {**ORDER, "order_id": str(uuid.uuid4()), "status": "CREATED"}
    return {"order": {**order, **changes}, "_trace_context": {"traceparent": PRODUCER}}


def failure(described: dict[str, Any]) -> tuple[str, str]:
    assert described["status"] == "FAILED", described
    return described["error"], described["cause"]


def test_happy_path_reserves_charges_and_tells_the_kitchen_once(cafe: Cafe) -> None:
    state = placed()
    order_id = state["order"]["order_id"]
    done = cafe.run(state)
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    assert output["payment"] == {"payment_id": "pay_1", "status": "succeeded"}
    assert cafe.tasks_run() == ["validate", "reserve_stock", "charge_payment"]
    assert (stock_of(cafe.dynamodb, "latte"), stock_of(cafe.dynamodb, "cookie")) == (3, 1)
    assert [request.headers["idempotency-key"] for request in cafe.provider.requests] == [order_id]
    (message,) = cafe.published()
    assert json.loads(message["Body"]) == {
        "event_type": "OrderPaid", "order_id": order_id, "payment_id": "pay_1", "total": "7.60", "currency": "EUR", "customer_id": "c-1",
    }
    assert message["Attributes"]["MessageGroupId"] == order_id
    assert message["Attributes"]["MessageDeduplicationId"] == f"OrderPaid-{order_id}"
    assert message["MessageAttributes"]["event_type"]["StringValue"] == "OrderPaid"
    assert message["MessageAttributes"]["traceparent"]["StringValue"] == PRODUCER  # the order's trace carries on


def test_every_task_is_linked_to_the_order_s_producer(cafe: Cafe, spans: Any) -> None:
    cafe.run(placed())
    invocation_spans = [span for span in spans.get_finished_spans() if span.parent is None or span.parent.is_remote]
    assert len(invocation_spans) == 3
    assert all([f"{link.context.span_id:016x}" for link in span.links] == [PRODUCER.split("-")[2]] for span in invocation_spans)


def test_a_second_execution_for_the_same_order_charges_and_notifies_nothing_more(cafe: Cafe) -> None:
    """EventBridge may deliver OrderPlaced twice; the order is still fulfilled once."""
    state = placed()
    first, second = cafe.run(state), cafe.run(state)
    assert first["status"] == second["status"] == "SUCCEEDED"
    assert json.loads(second["output"])["reservation"] == {"status": "already_reserved"}
    assert stock_of(cafe.dynamodb, "latte") == 3 and len(cafe.provider.charges) == 1
    assert len(cafe.published()) == 1  # the FIFO topic drops the duplicate by its deduplication id


def test_a_declined_payment_releases_the_stock_and_ends_in_payment_failed(cafe: Cafe) -> None:
    cafe.provider.mode = "decline"
    error, cause = failure(cafe.run(placed()))
    assert error == "PaymentFailed" and cause.startswith("PaymentDeclined: ") and "insufficient funds" in cause
    assert cafe.tasks_run() == ["validate", "reserve_stock", "charge_payment", "release_stock"]  # declines are not retried
    assert cafe.provider.paths() == ["/charges"]  # nothing was taken, so nothing is refunded
    assert (stock_of(cafe.dynamodb, "latte"), stock_of(cafe.dynamodb, "cookie")) == (5, 2)
    assert cafe.published() == []


def test_an_open_circuit_fails_fast_and_the_refund_waits_for_it(cafe: Cafe) -> None:
    opened_at = cafe.clock.time()
    cafe.dynamodb.put_item(TableName=CIRCUIT_TABLE, Item={
        "circuit": {"S": "payment-provider"}, "state": {"S": "open"}, "failures": {"N": str(THRESHOLD)}, "opened_at": {"N": f"{opened_at:.3f}"}})
    error, cause = failure(cafe.run(placed()))
    assert error == "PaymentFailed" and cause.startswith("CircuitOpen: ")
    assert cafe.tasks_run() == ["validate", "reserve_stock", "charge_payment", "refund_payment", "refund_payment", "release_stock"]
    assert cafe.provider.paths() == ["/refunds"]  # the charge never reached the provider
    assert cafe.clock.sleeps == [30]  # the refund waited out the open period, then probed
    assert circuit_item(cafe.dynamodb)["state"]["S"] == "closed"
    assert (stock_of(cafe.dynamodb, "latte"), stock_of(cafe.dynamodb, "cookie")) == (5, 2)


def test_an_unavailable_provider_is_retried_with_backoff_until_the_circuit_opens(cafe: Cafe) -> None:
    cafe.provider.outage = THRESHOLD  # down for three requests, then back
    error, cause = failure(cafe.run(placed()))
    assert error == "PaymentFailed" and cause.startswith("CircuitOpen: ")
    charges = cafe.tasks_run().count("charge_payment")
    assert charges == THRESHOLD + 1  # three 503s open the circuit; the fourth attempt fails fast
    backoff = cafe.clock.sleeps[: charges - 1]
    assert all(0 <= wait <= bound for wait, bound in zip(backoff, (2, 4, 8)))  # full jitter under 2, 4, 8 s
    assert cafe.provider.paths() == ["/charges"] * THRESHOLD + ["/refunds"]  # refund probed after the open period
    assert cafe.clock.sleeps[charges - 1:] == [30]
    assert stock_of(cafe.dynamodb, "latte") == 5


def test_a_charge_whose_answer_was_lost_is_taken_once_and_the_order_goes_on(cafe: Cafe) -> None:
    """The provider takes the charge but answers after the task's timeout; the retry, with the
    same idempotency key, gets the first answer instead of charging again."""
    function = "platform-test-fulfilment-charge_payment"
    cafe.harness.lambda_client.update_function_configuration(FunctionName=function, Timeout=2)  # a 1 s provider timeout
    cafe.provider.mode, cafe.provider.delay = "slow", 1.2
    try:
        done = cafe.run(placed())
    finally:
        cafe.harness.lambda_client.update_function_configuration(FunctionName=function, Timeout=10)
    assert done["status"] == "SUCCEEDED", done
    assert cafe.tasks_run().count("charge_payment") == 2
    assert len(cafe.provider.charges) == 1 and cafe.provider.paths() == ["/charges", "/charges"]
    assert len(cafe.published()) == 1


def test_a_failed_notification_refunds_and_releases(cafe: Cafe) -> None:
    missing_topic = f"arn:aws:sns:{REGION}:123456789012:platform-test-no-such-topic.fifo"
    machine = cafe.machine(f"platform-test-fulfilment-{uuid.uuid4().hex[:8]}", missing_topic)
    state = placed()
    error, cause = failure(cafe.run(state, machine))
    assert error == "NotificationFailed" and cause.startswith("SNS.")
    assert cafe.tasks_run() == ["validate", "reserve_stock", "charge_payment", "refund_payment", "release_stock"]
    assert cafe.provider.refunds == {state["order"]["order_id"]: "re_1"}
    assert stock_of(cafe.dynamodb, "latte") == 5


def test_a_refund_that_keeps_failing_ends_in_compensation_failed_with_the_stock_held(cafe: Cafe) -> None:
    cafe.provider.outage = 100
    error, cause = failure(cafe.run(placed()))
    assert error == "CompensationFailed" and cause.startswith("PaymentProviderUnavailable while compensating for CircuitOpen: ")
    assert cafe.tasks_run()[-1] == "refund_payment" and "release_stock" not in cafe.tasks_run()
    assert cafe.clock.sleeps[-6:] == [30, 60, 120, 240, 300, 300]  # the refund's patience, about 17 minutes
    assert stock_of(cafe.dynamodb, "latte") == 3  # a person decides: refund by hand, or fulfil


def test_short_stock_ends_in_out_of_stock_with_nothing_reserved_or_charged(cafe: Cafe) -> None:
    order = placed(items=[{"sku": "latte", "quantity": 2, "unit_price": 3.5}, {"sku": "cookie", "quantity": 3, "unit_price": 0.6}], total=8.8)
    error, cause = failure(cafe.run(order))
    assert error == "OutOfStock" and cause.startswith("StockUnavailable: ") and "cookie" in cause
    assert cafe.tasks_run() == ["validate", "reserve_stock"]
    assert (stock_of(cafe.dynamodb, "latte"), stock_of(cafe.dynamodb, "cookie")) == (5, 2)
    assert cafe.provider.requests == []


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"detail": ORDER}, "order"),
        (placed(total=99), "order.total"),
        (placed(items=[{"sku": "latte", "quantity": -1, "unit_price": 3.5}]), "order.items[0].quantity"),
        (placed(order_id="not-a-uuid"), "order.order_id"),
        (placed(currency=None), "order.currency"),
    ],
)
def test_an_invalid_order_ends_in_order_invalid_naming_the_field_with_nothing_to_compensate(cafe: Cafe, state: dict[str, Any], field: str) -> None:
    error, cause = failure(cafe.run(state))
    assert error == "OrderInvalid" and cause.startswith("OrderInvalid: ")
    assert json.loads(cause.removeprefix("OrderInvalid: "))["errorMessage"].startswith(f"{field}: ")
    assert cafe.tasks_run() == ["validate"]  # not retried, and nothing happened that needs undoing
    assert (stock_of(cafe.dynamodb, "latte"), stock_of(cafe.dynamodb, "cookie")) == (5, 2)
    assert cafe.provider.requests == []
