"""The workflow definition as data: well-formed, wired as docs/cafe.md says, and importable by the Pulumi program."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from typing import Any, Iterator

import pytest

from components.services.workflow_plan import definition_problems, placeholders, substitute
from handlers.fulfilment import definition as workflow
from handlers.fulfilment import errors

ROOT = pathlib.Path(__file__).resolve().parents[3]
ERROR_NAMES = {cls.__name__ for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, errors.FulfilmentError)}
DOCUMENTED_FAILURES = ("OrderInvalid", "OutOfStock", "PaymentFailed", "NotificationFailed", "CompensationFailed")


@pytest.fixture(scope="module")
def machine() -> dict[str, Any]:
    return workflow.definition()


def targets(state: dict[str, Any]) -> Iterator[str]:
    if "Next" in state:
        yield state["Next"]
    for catcher in state.get("Catch", []):
        yield catcher["Next"]


def walk(machine: dict[str, Any], start: str, choose: Any) -> list[str]:
    """The states visited from `start`, following `choose(state)` to the next one, until a terminal."""
    visited = [start]
    state = machine["States"][start]
    while state["Type"] not in ("Fail", "Succeed"):
        visited.append(choose(state))
        state = machine["States"][visited[-1]]
    return visited


def on_error(name: str) -> Any:
    """Follow the Catch that matches `name` in the state where it happens, then Next."""
    def choose(state: dict[str, Any]) -> str:
        if choose.raised:
            return state["Next"]
        choose.raised = True
        for catcher in state["Catch"]:
            if name in catcher["ErrorEquals"] or "States.ALL" in catcher["ErrorEquals"]:
                return catcher["Next"]
        raise AssertionError(f"{name} is not caught")

    choose.raised = False
    return choose


def test_it_is_json_and_every_transition_lands_on_a_state(machine: dict[str, Any]) -> None:
    assert json.loads(json.dumps(machine)) == machine
    names = set(machine["States"])
    assert machine["StartAt"] in names
    for name, state in machine["States"].items():
        assert state["Type"] in ("Task", "Fail", "Succeed"), name
        assert set(targets(state)) <= names, name
        if state["Type"] == "Task":
            assert "Next" in state or state.get("End") is True, name


def test_every_state_is_reachable(machine: dict[str, Any]) -> None:
    seen, todo = set(), [machine["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(targets(machine["States"][name]))
    assert seen == set(machine["States"])


def test_the_happy_path(machine: dict[str, Any]) -> None:
    path = walk(machine, machine["StartAt"], lambda state: state["Next"])
    assert path == ["ValidateOrder", "ReserveStock", "ChargePayment", "NotifyKitchen", "KitchenNotified"]


@pytest.mark.parametrize(
    ("failing", "error", "expected"),
    [
        ("ValidateOrder", "OrderInvalid", ["OrderInvalid"]),
        ("ValidateOrder", "Lambda.ServiceException", ["OrderInvalid"]),
        ("ReserveStock", "StockUnavailable", ["OutOfStock"]),
        ("ReserveStock", "States.Timeout", ["ReleaseStockAfterReservationFailure", "OutOfStock"]),
        ("ChargePayment", "PaymentDeclined", ["ReleaseStockAfterPaymentFailure", "PaymentFailed"]),
        ("ChargePayment", "PaymentProviderUnavailable", ["RefundPaymentAfterPaymentFailure", "ReleaseStockAfterPaymentFailure", "PaymentFailed"]),
        ("ChargePayment", "CircuitOpen", ["RefundPaymentAfterPaymentFailure", "ReleaseStockAfterPaymentFailure", "PaymentFailed"]),
        ("NotifyKitchen", "SNS.NotFoundException", ["RefundPaymentAfterNotificationFailure", "ReleaseStockAfterNotificationFailure", "NotificationFailed"]),
    ],
)
def test_each_failure_compensates_in_reverse_and_ends_in_its_documented_state(machine: dict[str, Any], failing: str, error: str, expected: list[str]) -> None:
    assert walk(machine, failing, on_error(error))[1:] == expected


def test_a_failing_compensation_ends_in_compensation_failed_keeping_the_first_failure(machine: dict[str, Any]) -> None:
    for name, state in machine["States"].items():
        if name.startswith(("Refund", "Release")):
            assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "Next": "CompensationFailed", "ResultPath": "$.compensation_failure"}]


def test_failure_states_are_the_documented_ones(machine: dict[str, Any]) -> None:
    fails = {name: state for name, state in machine["States"].items() if state["Type"] == "Fail"}
    assert set(fails) == set(DOCUMENTED_FAILURES) == set(workflow.FAILURE_STATES)
    assert all(state["Error"] == name and state["CausePath"].startswith("States.Format(") for name, state in fails.items())
    cafe = (ROOT / "docs" / "cafe.md").read_text()
    assert all(f"`{name}`" in cafe for name in DOCUMENTED_FAILURES)


def retriers(machine: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in machine["States"].items():
        for retrier in state.get("Retry", []):
            yield name, retrier


def test_error_names_are_the_tasks_own_or_the_states_language_ones(machine: dict[str, Any]) -> None:
    used = {error for _, retrier in retriers(machine) for error in retrier["ErrorEquals"]}
    used |= {error for state in machine["States"].values() for catcher in state.get("Catch", []) for error in catcher["ErrorEquals"]}
    assert {name for name in used if not name.startswith("States.")} <= ERROR_NAMES
    assert {"OrderInvalid", "StockUnavailable", "PaymentDeclined", "PaymentProviderUnavailable", "CircuitOpen"} <= used


def test_retries_back_off_and_business_errors_are_never_retried(machine: dict[str, Any]) -> None:
    for name, state in machine["States"].items():
        rules = state.get("Retry", [])
        if state["Type"] != "Task":
            continue
        assert rules[-1]["ErrorEquals"] == ["States.ALL"], name
        for rule in rules:
            assert rule.get("MaxAttempts", 3) == 0 or rule["BackoffRate"] >= 2, (name, rule)
    charge = machine["States"]["ChargePayment"]["Retry"]
    assert {"PaymentDeclined", "CircuitOpen", "PaymentProviderRejected"} <= set(charge[0]["ErrorEquals"]) and charge[0]["MaxAttempts"] == 0
    assert charge[1]["ErrorEquals"] == ["PaymentProviderUnavailable"] and charge[1]["MaxAttempts"] >= 2


def test_the_refund_waits_out_an_open_circuit(machine: dict[str, Any]) -> None:
    from handlers.fulfilment.config import DEFAULT_OPEN_SECONDS

    rule = machine["States"]["RefundPaymentAfterPaymentFailure"]["Retry"][1]
    assert "CircuitOpen" in rule["ErrorEquals"] and rule["IntervalSeconds"] >= DEFAULT_OPEN_SECONDS
    assert "JitterStrategy" not in rule  # jitter could wait less than the open period


def test_order_paid_is_published_as_docs_cafe_says(machine: dict[str, Any]) -> None:
    task = machine["States"]["NotifyKitchen"]
    parameters = task["Parameters"]
    assert task["Resource"] == "arn:aws:states:::sns:publish" and parameters["TopicArn"] == "${topic:order-events}"
    assert parameters["MessageGroupId.$"] == "$.order.order_id"
    assert parameters["MessageDeduplicationId.$"] == "States.Format('OrderPaid-{}', $.order.order_id)"
    assert parameters["MessageAttributes"]["event_type"] == {"DataType": "String", "StringValue": "OrderPaid"}
    fields = {key.removesuffix(".$") for key in parameters["Message"]}
    assert fields == {"event_type", "order_id", "payment_id", "total", "currency", "customer_id"}


def test_placeholders_name_every_task_and_the_topic(machine: dict[str, Any]) -> None:
    expected = {("function", task) for task in workflow.TASKS} | {("topic", "order-events")}
    assert placeholders(machine) == expected
    for name, state in machine["States"].items():
        if state.get("Resource") == "arn:aws:states:::lambda:invoke":
            kind, task = state["Parameters"]["FunctionName"].strip("${}").split(":")
            assert (kind, task) in expected and state["Parameters"]["Payload.$"] == "$", name


def test_the_workflow_component_accepts_it_and_fills_every_placeholder(machine: dict[str, Any]) -> None:
    assert definition_problems(machine, set(workflow.TASKS), {"order-events"}) == []
    functions = {("function", task): f"arn:aws:lambda:us-east-1:123456789012:function:f-{task}" for task in workflow.TASKS}
    topic = "arn:aws:sns:us-east-1:123456789012:order-events.fifo"
    rendered = substitute(machine, {**functions, ("topic", "order-events"): topic})
    assert "${" not in json.dumps(rendered)
    assert rendered["States"]["ChargePayment"]["Parameters"]["FunctionName"] == functions[("function", "charge_payment")]
    assert rendered["States"]["NotifyKitchen"]["Parameters"]["TopicArn"] == topic
    assert machine == workflow.definition()


def test_an_execution_cannot_outlive_its_timeout(machine: dict[str, Any]) -> None:
    assert machine["TimeoutSeconds"] == workflow.TIMEOUT_SECONDS
    assert definition_problems({**machine, "TimeoutSeconds": None}, set(workflow.TASKS), {"order-events"})


def test_the_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys; before = set(sys.modules); import handlers.fulfilment.definition; "
        "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names) - {'handlers'}))"
    )
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]", found.stdout
