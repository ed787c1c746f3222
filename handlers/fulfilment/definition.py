"""PROVISIONAL: replaced by the fulfilment handlers' own definition when they land."""
from __future__ import annotations

from typing import Any


def _task(function: str, next_state: str, catch_to: str) -> dict[str, Any]:
    return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": f"${{function:{function}}}", "Payload.$": "$"},
            "OutputPath": "$.Payload", "Next": next_state,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": catch_to}]}


DEFINITION: dict[str, Any] = {
    "Comment": "Fulfil a placed order",
    "StartAt": "Validate",
    "TimeoutSeconds": 900,
    "States": {
        "Validate": _task("validate", "ReserveStock", "OrderInvalid"),
        "ReserveStock": _task("reserve_stock", "ChargePayment", "OutOfStock"),
        "ChargePayment": _task("charge_payment", "NotifyKitchen", "ReleaseStock"),
        "NotifyKitchen": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                          "Parameters": {"TopicArn": "${topic:order-events}", "Message.$": "States.JsonToString($)",
                                         "MessageGroupId.$": "$.order.order_id"},
                          "End": True,
                          "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RefundPayment"}]},
        "RefundPayment": _task("refund_payment", "ReleaseStockAfterRefund", "ReleaseStockAfterRefund"),
        "ReleaseStockAfterRefund": _task("release_stock", "NotificationFailed", "NotificationFailed"),
        "ReleaseStock": _task("release_stock", "PaymentFailed", "PaymentFailed"),
        "OrderInvalid": {"Type": "Fail", "Error": "OrderInvalid"},
        "OutOfStock": {"Type": "Fail", "Error": "OutOfStock"},
        "PaymentFailed": {"Type": "Fail", "Error": "PaymentFailed"},
        "NotificationFailed": {"Type": "Fail", "Error": "NotificationFailed"},
    },
}
