"""Each task handler as Step Functions invokes it, against moto DynamoDB and the fake provider."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.fulfilment import charge_payment, refund_payment, release_stock, reserve_stock, validate
from handlers.fulfilment.errors import CircuitOpen, ConfigurationError, OrderInvalid, PaymentDeclined, PaymentProviderUnavailable
from tests.handlers.fulfilment.conftest import THRESHOLD, circuit_item, set_stock, stock_of
from tests.handlers.fulfilment.payment_provider import FakePaymentProvider
from tests.handlers.fulfilment.test_order import ORDER
from tests.handlers.telemetry.helpers import FakeLambdaContext, parse_output

PRODUCER = "00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01"


def validated(**extra: Any) -> dict[str, Any]:
    state = validate.handler({"order": ORDER, "_trace_context": {"traceparent": PRODUCER}}, FakeLambdaContext())
    return {**state, **extra}


def test_validate_makes_the_state_later_tasks_read() -> None:
    state = validate.handler({"order": dict(ORDER, status="CREATED"), "_trace_context": {"traceparent": PRODUCER, "foo": "x"}}, FakeLambdaContext())
    assert state == {
        "order": {
            "order_id": ORDER["order_id"],
            "customer_id": "c-1",
            "currency": "EUR",
            "total": "7.60",
            "items": [{"sku": "latte", "quantity": 2, "unit_price": "3.50"}, {"sku": "cookie", "quantity": 1, "unit_price": "0.60"}],
        },
        "_trace_context": {"traceparent": PRODUCER},
    }


@pytest.mark.parametrize("carried", [None, {"traceparent": "00-zz-broken"}, "not a map"])
def test_validate_supplies_its_own_trace_context_when_none_valid_came(carried: Any, spans: Any) -> None:
    event: dict[str, Any] = {"order": ORDER}
    if carried is not None:
        event["_trace_context"] = carried
    state = validate.handler(event, FakeLambdaContext())
    invocation = spans.get_finished_spans()[-1]
    assert state["_trace_context"]["traceparent"] == f"00-{invocation.context.trace_id:032x}-{invocation.context.span_id:016x}-01"


def test_validate_rejects_a_bad_order_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(OrderInvalid, match=r"^order\.items\[0\]\.quantity: must be from 1 to 1000$"):
        validate.handler({"order": dict(ORDER, items=[{"sku": "latte", "quantity": 0, "unit_price": 3.5}])}, FakeLambdaContext())
    failure = [line for line in parse_output(capsys.readouterr().out).logs if line["message"] == "invocation failed"]
    assert failure and failure[0]["exception_type"] == "OrderInvalid"


def test_reserve_and_release_through_the_handlers(fulfilment_env: dict[str, str], dynamodb: Any) -> None:
    set_stock(dynamodb, latte=5, cookie=1)
    state = validated()
    assert reserve_stock.handler(state, FakeLambdaContext()) == {"status": "reserved", "quantities": {"latte": 2, "cookie": 1}}
    assert reserve_stock.handler(state, FakeLambdaContext())["status"] == "already_reserved"
    assert release_stock.handler(state, FakeLambdaContext())["status"] == "released"
    assert release_stock.handler(state, FakeLambdaContext())["status"] == "already_released"
    assert (stock_of(dynamodb, "latte"), stock_of(dynamodb, "cookie")) == (5, 1)


def test_a_task_without_its_table_names_the_variable(fulfilment_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STOCK_TABLE")
    with pytest.raises(ConfigurationError, match="STOCK_TABLE is not set"):
        reserve_stock.handler(validated(), FakeLambdaContext())


def test_charge_returns_the_payment_and_traces_the_provider_call(fulfilment_env: dict[str, str], provider: FakePaymentProvider, spans: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert charge_payment.handler(validated(), FakeLambdaContext()) == {"payment_id": "pay_1", "status": "succeeded"}
    finished = {span.name: span for span in spans.get_finished_spans()}
    client = finished["POST /charges"]
    invocation = spans.get_finished_spans()[-1]
    assert client.parent.span_id == invocation.context.span_id
    assert [f"{link.context.span_id:016x}" for link in invocation.links] == [PRODUCER.split("-")[2]]  # linked to the order's producer
    assert provider.requests[0].headers["traceparent"].split("-")[2] == f"{client.context.span_id:016x}"
    emf = parse_output(capsys.readouterr().out).emf
    assert any(line.get("PaymentsCharged") == 1 for line in emf)


def test_a_declined_charge_raises_its_name_and_keeps_the_circuit_closed(fulfilment_env: dict[str, str], provider: FakePaymentProvider, dynamodb: Any) -> None:
    provider.mode = "decline"
    for _ in range(THRESHOLD + 1):
        with pytest.raises(PaymentDeclined):
            charge_payment.handler(validated(), FakeLambdaContext())
    assert circuit_item(dynamodb) == {}


def test_an_unavailable_provider_opens_the_circuit_and_then_charges_fail_fast(fulfilment_env: dict[str, str], provider: FakePaymentProvider, dynamodb: Any) -> None:
    provider.mode = "down"
    for _ in range(THRESHOLD):
        with pytest.raises(PaymentProviderUnavailable):
            charge_payment.handler(validated(), FakeLambdaContext())
    assert circuit_item(dynamodb)["state"]["S"] == "open"
    with pytest.raises(CircuitOpen):
        charge_payment.handler(validated(), FakeLambdaContext())
    assert len(provider.requests) == THRESHOLD


def test_refund_of_an_order_never_charged_is_nothing_to_refund(fulfilment_env: dict[str, str], provider: FakePaymentProvider) -> None:
    assert refund_payment.handler(validated(), FakeLambdaContext()) == {"refunded": False, "refund_id": None}


def test_refund_after_a_charge_gives_the_money_back_once(fulfilment_env: dict[str, str], provider: FakePaymentProvider) -> None:
    charge_payment.handler(validated(), FakeLambdaContext())
    first = refund_payment.handler(validated(), FakeLambdaContext())
    assert first == refund_payment.handler(validated(), FakeLambdaContext()) == {"refunded": True, "refund_id": "re_1"}
    assert len(provider.refunds) == 1


def test_tasks_read_the_whole_state_they_are_given(fulfilment_env: dict[str, str], provider: FakePaymentProvider) -> None:
    """Later states add payment, failure and compensation keys; the tasks only read `order`."""
    state = validated(payment={"payment_id": "pay_9"}, failure={"Error": "X", "Cause": "{}"}, reservation={"status": "reserved"})
    assert json.loads(json.dumps(refund_payment.handler(state, FakeLambdaContext())))["refunded"] is False
