"""The fulfilment workflow in the Amazon States Language, as a Python dict.

    validate → reserve stock → charge payment → publish OrderPaid to order-events → done

with a Saga path: a step that fails after its retries undoes what earlier steps did, in
reverse order (refund the payment, release the stock), and the execution then fails in the
state that names the step: `OrderInvalid`, `OutOfStock`, `PaymentFailed` or
`NotificationFailed` (docs/cafe.md). The failure's Cause is the original error name and cause.
When a compensating step itself fails after its retries, the execution fails in
`CompensationFailed`: money or stock then needs a person, and that state is worth an alarm.

Why the paths look as they do:
- A declined payment took nothing, so only the stock is released. Any other charge failure
  (provider unavailable after retries, an open circuit, a crash) may follow an attempt whose
  answer was lost after the provider took the money, so the refund runs first; it is
  idempotent per order and the provider answers "nothing to refund" when nothing was taken.
- Errors that retrying cannot fix (`errors.py`) get `MaxAttempts: 0`; an unavailable provider
  is retried with exponential backoff and jitter; anything else (Lambda throttling, DynamoDB
  transaction conflicts, timeouts) is retried briefly as transient.
- The refund also retries on `CircuitOpen`, waiting longer than a circuit's open period
  (docs/cafe.md, `CIRCUIT_OPEN_SECONDS`, default 30 s), because compensation must eventually
  happen, while a charge fails fast.
- `validate` returns the whole state, `{"order", "_trace_context"}`: later states read the
  normalised order, and OrderPaid always has a `traceparent` to carry.

**Placeholders.** ARNs are not known when this module is imported, so the definition holds
placeholders that the Workflow component replaces (`components/services/workflow_plan.py`, the
one substitution the program and the tests share):
- `${function:<task>}` for each task function, `<task>` one of `TASKS` (the handler is
  `handlers.fulfilment.<task>.handler`); it is the `FunctionName` of a
  `arn:aws:states:::lambda:invoke` task;
- `${topic:order-events}` for the FIFO topic OrderPaid is published to, through
  `arn:aws:states:::sns:publish`.

Standard library only: the Pulumi program imports this module.
"""

from __future__ import annotations

from typing import Any

from handlers.fulfilment import errors

TIMEOUT_SECONDS = 3600
TASKS = ("validate", "reserve_stock", "release_stock", "charge_payment", "refund_payment")
TOPICS = ("order-events",)
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
SNS_PUBLISH = "arn:aws:states:::sns:publish"

ALL_ERRORS = "States.ALL"
ORDER_INVALID = "OrderInvalid"
OUT_OF_STOCK = "OutOfStock"
PAYMENT_FAILED = "PaymentFailed"
NOTIFICATION_FAILED = "NotificationFailed"
COMPENSATION_FAILED = "CompensationFailed"
FAILURE_STATES = (ORDER_INVALID, OUT_OF_STOCK, PAYMENT_FAILED, NOTIFICATION_FAILED, COMPENSATION_FAILED)
SUCCEEDED = "KitchenNotified"

INVALID_ORDER = errors.OrderInvalid.__name__
STOCK_UNAVAILABLE = errors.StockUnavailable.__name__
DECLINED = errors.PaymentDeclined.__name__
UNAVAILABLE = errors.PaymentProviderUnavailable.__name__
REJECTED = errors.PaymentProviderRejected.__name__
CIRCUIT_OPEN = errors.CircuitOpen.__name__
MISCONFIGURED = errors.ConfigurationError.__name__

#: Where a Catch puts the error it caught ({"Error", "Cause"}); the Fail states read it.
FAILURE_PATH = "$.failure"
COMPENSATION_FAILURE_PATH = "$.compensation_failure"


def function_placeholder(task: str) -> str:
    return "${function:" + task + "}"


def topic_placeholder(topic: str) -> str:
    return "${topic:" + topic + "}"


# ---------------------------------------------------------------- retry policies


def never_retried(*names: str) -> dict[str, Any]:
    return {"ErrorEquals": list(names), "MaxAttempts": 0}


def transient() -> dict[str, Any]:
    """Lambda throttling and service errors, timeouts, DynamoDB transaction conflicts."""
    return {"ErrorEquals": [ALL_ERRORS], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 3, "JitterStrategy": "FULL"}


def provider_unavailable() -> dict[str, Any]:
    """2, 4, 8 s (full jitter, at most 20 s): about half a minute for the provider to come back
    before the order fails; an open circuit ends the retries sooner (it is not retried)."""
    return {
        "ErrorEquals": [UNAVAILABLE],
        "IntervalSeconds": 2,
        "BackoffRate": 2.0,
        "MaxAttempts": 3,
        "MaxDelaySeconds": 20,
        "JitterStrategy": "FULL",
    }


def compensation_provider_unavailable() -> dict[str, Any]:
    """30, 60, 120, 240, 300, 300 s: every wait outlasts a circuit's open period (no jitter,
    which could shorten it), about 17 minutes in all before a person is needed."""
    return {
        "ErrorEquals": [UNAVAILABLE, CIRCUIT_OPEN],
        "IntervalSeconds": 30,
        "BackoffRate": 2.0,
        "MaxAttempts": 6,
        "MaxDelaySeconds": 300,
    }


# ---------------------------------------------------------------- states


def catch(names: list[str], next_state: str, result_path: str = FAILURE_PATH) -> dict[str, Any]:
    return {"ErrorEquals": names, "Next": next_state, "ResultPath": result_path}


def lambda_task(
    task: str,
    comment: str,
    *,
    next_state: str,
    retry: list[dict[str, Any]],
    catches: list[dict[str, Any]],
    result_selector: dict[str, str] | None = None,
    result_path: str | None = None,
) -> dict[str, Any]:
    """A lambda:invoke task that passes the whole state as the payload."""
    state: dict[str, Any] = {
        "Type": "Task",
        "Comment": comment,
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": function_placeholder(task), "Payload.$": "$"},
        "Retry": retry,
        "Catch": catches,
        "Next": next_state,
    }
    if result_selector is not None:
        state["ResultSelector"] = result_selector
    state["ResultPath"] = result_path
    return state


def fail(name: str, cause: str) -> dict[str, Any]:
    return {"Type": "Fail", "Comment": cause, "Error": name, "CausePath": f"States.Format('{{}}: {{}}', {FAILURE_PATH}.Error, {FAILURE_PATH}.Cause)"}


def compensation_failed() -> dict[str, Any]:
    return {
        "Type": "Fail",
        "Comment": "A compensating step failed after its retries: a payment may need a manual refund, or stock a manual release.",
        "Error": COMPENSATION_FAILED,
        "CausePath": (
            f"States.Format('{{}} while compensating for {{}}: {{}}', {COMPENSATION_FAILURE_PATH}.Error, "
            f"{FAILURE_PATH}.Error, {COMPENSATION_FAILURE_PATH}.Cause)"
        ),
    }


def refund(after: str, next_state: str) -> dict[str, Any]:
    return lambda_task(
        "refund_payment",
        f"Compensation after {after}: refund whatever was charged for the order (idempotent per order).",
        next_state=next_state,
        retry=[never_retried(INVALID_ORDER, REJECTED, MISCONFIGURED), compensation_provider_unavailable(), transient()],
        catches=[catch([ALL_ERRORS], COMPENSATION_FAILED, COMPENSATION_FAILURE_PATH)],
        result_selector={"refunded.$": "$.Payload.refunded", "refund_id.$": "$.Payload.refund_id"},
        result_path="$.refund",
    )


def release(after: str, next_state: str) -> dict[str, Any]:
    return lambda_task(
        "release_stock",
        f"Compensation after {after}: give back the stock the order reserved (idempotent per order).",
        next_state=next_state,
        retry=[never_retried(INVALID_ORDER, MISCONFIGURED), transient()],
        catches=[catch([ALL_ERRORS], COMPENSATION_FAILED, COMPENSATION_FAILURE_PATH)],
        result_selector={"status.$": "$.Payload.status"},
        result_path="$.release",
    )


def order_paid_message() -> dict[str, Any]:
    """docs/cafe.md OrderPaid; the optimised integration serialises the object to JSON text."""
    return {
        "event_type": "OrderPaid",
        "order_id.$": "$.order.order_id",
        "payment_id.$": "$.payment.payment_id",
        "total.$": "$.order.total",
        "currency.$": "$.order.currency",
        "customer_id.$": "$.order.customer_id",
    }


def notify_kitchen() -> dict[str, Any]:
    return {
        "Type": "Task",
        "Comment": "Publish OrderPaid to the order-events FIFO topic, in order per order, at most once per order.",
        "Resource": SNS_PUBLISH,
        "Parameters": {
            "TopicArn": topic_placeholder("order-events"),
            "Message": order_paid_message(),
            "MessageGroupId.$": "$.order.order_id",
            "MessageDeduplicationId.$": "States.Format('OrderPaid-{}', $.order.order_id)",
            "MessageAttributes": {
                "event_type": {"DataType": "String", "StringValue": "OrderPaid"},
                "traceparent": {"DataType": "String", "StringValue.$": "$._trace_context.traceparent"},
            },
        },
        "ResultSelector": {"message_id.$": "$.MessageId"},
        "ResultPath": "$.notification",
        "Retry": [transient()],
        "Catch": [catch([ALL_ERRORS], "RefundPaymentAfterNotificationFailure")],
        "Next": SUCCEEDED,
    }


def states() -> dict[str, dict[str, Any]]:
    return {
        "ValidateOrder": lambda_task(
            "validate",
            "Check the order and normalise it; its result becomes the whole state.",
            next_state="ReserveStock",
            retry=[never_retried(INVALID_ORDER), transient()],
            catches=[catch([ALL_ERRORS], ORDER_INVALID)],
            result_selector={"order.$": "$.Payload.order", "_trace_context.$": "$.Payload._trace_context"},
            result_path="$",
        ),
        "ReserveStock": lambda_task(
            "reserve_stock",
            "Take every SKU's quantity from stock in one transaction, or nothing.",
            next_state="ChargePayment",
            retry=[never_retried(STOCK_UNAVAILABLE, INVALID_ORDER, MISCONFIGURED), transient()],
            catches=[catch([STOCK_UNAVAILABLE], OUT_OF_STOCK), catch([ALL_ERRORS], "ReleaseStockAfterReservationFailure")],
            result_selector={"status.$": "$.Payload.status"},
            result_path="$.reservation",
        ),
        "ChargePayment": lambda_task(
            "charge_payment",
            "Charge the order's total through the payment circuit breaker.",
            next_state="NotifyKitchen",
            retry=[never_retried(DECLINED, REJECTED, CIRCUIT_OPEN, INVALID_ORDER, MISCONFIGURED), provider_unavailable(), transient()],
            catches=[catch([DECLINED], "ReleaseStockAfterPaymentFailure"), catch([ALL_ERRORS], "RefundPaymentAfterPaymentFailure")],
            result_selector={"payment_id.$": "$.Payload.payment_id", "status.$": "$.Payload.status"},
            result_path="$.payment",
        ),
        "NotifyKitchen": notify_kitchen(),
        SUCCEEDED: {"Type": "Succeed", "Comment": "Paid, and the kitchen has the OrderPaid event."},
        # A reservation that failed for another reason than stock may have committed before
        # its answer was lost; releasing is a no-op when nothing was reserved.
        "ReleaseStockAfterReservationFailure": release("a failed reservation", OUT_OF_STOCK),
        "RefundPaymentAfterPaymentFailure": refund("a failed charge", "ReleaseStockAfterPaymentFailure"),
        "ReleaseStockAfterPaymentFailure": release("a failed charge", PAYMENT_FAILED),
        "RefundPaymentAfterNotificationFailure": refund("a failed notification", "ReleaseStockAfterNotificationFailure"),
        "ReleaseStockAfterNotificationFailure": release("a failed notification", NOTIFICATION_FAILED),
        ORDER_INVALID: fail(ORDER_INVALID, "The input is not an order the café can fulfil; nothing to compensate."),
        OUT_OF_STOCK: fail(OUT_OF_STOCK, "Stock could not be reserved; anything reserved was released."),
        PAYMENT_FAILED: fail(PAYMENT_FAILED, "Declined, provider unavailable after retries, or circuit open; refunded if it may have been charged, stock released."),
        NOTIFICATION_FAILED: fail(NOTIFICATION_FAILED, "OrderPaid could not be published; payment refunded and stock released."),
        COMPENSATION_FAILED: compensation_failed(),
    }


def definition() -> dict[str, Any]:
    """The state machine, with placeholders; a new dict on every call."""
    return {
        "Comment": "Café order fulfilment: validate, reserve stock, charge payment, notify the kitchen; Saga compensation on failure.",
        "StartAt": "ValidateOrder",
        # The longest path is a refund retried through an outage (about 18 minutes of backoff) after a
        # charge retried through it too; an hour bounds a stuck execution well above that.
        "TimeoutSeconds": TIMEOUT_SECONDS,
        "States": states(),
    }
