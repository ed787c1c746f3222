"""Which AWS actions a handler's own code calls while its tests run, as IAM names them.

Each handler package declares the actions it calls (`handlers/<package>/permissions.py`, see
`handlers/permissions.py`); the handler tests record every call the handler code makes (boto3
through botocore, OpenSearch through opensearch-py's connection or the shipper's own signed one)
and fail when one is undeclared,
and the least-privilege test (tests/policy/test_least_privilege.py) checks that every declared action
was exercised and that each function's role grants exactly that, on the resources its environment
names, besides what Lambda itself needs.

A call counts when the code that made it is in the `handlers` package, so a test's own calls
(creating a moto table, reading a bucket back, a sample handler written in the test) do not; calls
under the package's `RUN_BY_OPERATORS` modules (the replay tool, run with an operator's
credentials) do not either.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any, Callable, Iterator

import botocore.client
from opensearchpy import Urllib3HttpConnection

from handlers.log_shipper.http_connection import HttpConnection

#: Where the actions recorded in a test process go when another process asked for them (JSON lines).
RECORD_FILE_ENV = "PLATFORM_RECORD_AWS_CALLS"
#: botocore signing names whose IAM prefix differs.
_IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses"}
#: Operations whose IAM action has another name (or several).
_IAM_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3:ListObjectsV2": ("s3:ListBucket",), "s3:ListObjects": ("s3:ListBucket",), "s3:HeadBucket": ("s3:ListBucket",),
    "s3:HeadObject": ("s3:GetObject",), "s3:CopyObject": ("s3:GetObject", "s3:PutObject"),
    "s3:DeleteObjects": ("s3:DeleteObject",), "s3:CreateMultipartUpload": ("s3:PutObject",),
    "s3:UploadPart": ("s3:PutObject",), "s3:CompleteMultipartUpload": ("s3:PutObject",),
    "lambda:Invoke": ("lambda:InvokeFunction",), "lambda:InvokeAsync": ("lambda:InvokeFunction",),
    "sqs:SendMessageBatch": ("sqs:SendMessage",), "sqs:DeleteMessageBatch": ("sqs:DeleteMessage",),
    "sqs:ChangeMessageVisibilityBatch": ("sqs:ChangeMessageVisibility",), "sns:PublishBatch": ("sns:Publish",),
    "dynamodb:TransactGetItems": ("dynamodb:GetItem",),
}
#: A DynamoDB transaction is authorized item by item, with each item's own action.
_TRANSACT_ITEMS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                   "ConditionCheck": "dynamodb:ConditionCheckItem"}


def iam_actions(signing_name: str, operation: str, params: dict[str, Any]) -> tuple[str, ...]:
    """The IAM actions a botocore operation needs."""
    prefix = _IAM_PREFIX.get(signing_name, signing_name)
    name = f"{prefix}:{operation}"
    if name == "dynamodb:TransactWriteItems":
        return tuple(sorted({_TRANSACT_ITEMS[kind] for item in params.get("TransactItems", []) for kind in item
                             if kind in _TRANSACT_ITEMS}))
    return _IAM_ACTIONS.get(name, (name,))


def _calling_package(excluded: tuple[str, ...]) -> str | None:
    """The handler package whose code made the call: the innermost frame of this repository's code is
    in `handlers.<package>` (not in a test), and no operator-only module is on the stack. Shared code at
    the top of `handlers` (client factories) counts for the package that called it; the telemetry
    package's own calls (the idempotency store) count for itself, as it declares them itself."""
    frame = sys._getframe(2)
    caller = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(excluded):
            return None
        parts = module.split(".")
        if caller is None and parts[0] == "tests":
            return None
        if caller is None and parts[0] == "handlers" and len(parts) > 2:
            caller = parts[1]
        frame = frame.f_back
    return caller


@contextlib.contextmanager
def recording(excluded_modules: tuple[str, ...] = ()) -> Iterator[dict[str, set[str]]]:
    """Collects, per handler package, the IAM actions of every AWS call its code makes inside the block.

    Per package, because a test of one handler may run another's real code (the report job invokes the
    real extractor): each package answers for its own calls only.
    """
    actions: dict[str, set[str]] = {}
    make_api_call: Callable[..., Any] = botocore.client.BaseClient._make_api_call
    perform_request: Callable[..., Any] = Urllib3HttpConnection.perform_request

    def recorded_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
        package = _calling_package(excluded_modules)
        if package is not None:
            actions.setdefault(package, set()).update(
                iam_actions(client.meta.service_model.signing_name, operation, params))
        return make_api_call(client, operation, params)

    def recorded_request(connection: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        package = _calling_package(excluded_modules)
        if package is not None:
            actions.setdefault(package, set()).add(f"es:ESHttp{method.capitalize()}")
        return perform_request(connection, method, *args, **kwargs)

    def recorded_exchange(connection: Any, head: bytes, *args: Any, **kwargs: Any) -> Any:
        """The shipper's own signed connection: the HTTP method is the request line's first word."""
        package = _calling_package(excluded_modules)
        if package is not None:
            method = head.split(b" ", 1)[0].decode("ascii", "replace")
            actions.setdefault(package, set()).add(f"es:ESHttp{method.capitalize()}")
        return exchange(connection, head, *args, **kwargs)

    exchange: Callable[..., Any] = HttpConnection.exchange
    botocore.client.BaseClient._make_api_call = recorded_api_call  # type: ignore[method-assign]
    Urllib3HttpConnection.perform_request = recorded_request  # type: ignore[method-assign]
    HttpConnection.exchange = recorded_exchange  # type: ignore[method-assign]
    try:
        yield actions
    finally:
        botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
        Urllib3HttpConnection.perform_request = perform_request  # type: ignore[method-assign]
        HttpConnection.exchange = exchange  # type: ignore[method-assign]


#: package -> actions its handler code called, and the test ids that ran, in this process.
RECORDED: dict[str, set[str]] = {}
RAN: dict[str, set[str]] = {}


def remember(package: str, test_id: str, actions: set[str]) -> None:
    RECORDED.setdefault(package, set()).update(actions)
    RAN.setdefault(package, set()).add(test_id)
    path = os.environ.get(RECORD_FILE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"package": package, "test": test_id, "actions": sorted(actions)}) + "\n")
