"""Run a side effect at most once per key, even when SQS or EventBridge deliver twice.

State is one DynamoDB item per key, written with conditional writes (table schema in
docs/telemetry.md): INPROGRESS while the function runs, COMPLETED with its JSON result
afterwards. A redelivery of a completed key returns the stored result without running the
function; a concurrent delivery while the first is still running fails with
`IdempotencyInProgressError`, so the batch reports it and SQS retries it later. When the
function raises, the item is deleted so that the retry really runs again.

The item layout matches Powertools' DynamoDB persistence layer (id, status, expiration,
in_progress_expiration, data), so a table can be shared with Powertools-based functions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from typing import Any, Callable, TypeVar

from handlers.telemetry.invocation_state import current
from handlers.telemetry.structured_logger import json_default, logger

Function = TypeVar("Function", bound=Callable[..., Any])
KeyFunction = Callable[..., Any]

STATUS_IN_PROGRESS = "INPROGRESS"
STATUS_COMPLETED = "COMPLETED"
DEFAULT_EXPIRES_AFTER_SECONDS = 3600
DEFAULT_IN_PROGRESS_MS = 60_000
_clients: dict[str, Any] = {}


class IdempotencyInProgressError(Exception):
    """Another delivery of the same key is being processed right now; retry later."""


def dynamodb_client() -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    client = _clients.get(region)
    if client is None:
        import boto3

        client = _clients[region] = boto3.client("dynamodb", region_name=region)
    return client


def message_id_key(first: Any, *_: Any, **__: Any) -> str | None:
    """Default key: the id the source gives the first argument, stable across redeliveries.

    SQS: the message id; Kinesis and DynamoDB streams: the event id (Kinesis spells it
    `<shard id>:<sequence number>`). Works on Powertools data classes and on raw record dicts.
    """
    identifier = getattr(first, "message_id", None) or getattr(first, "event_id", None)
    if identifier is None and isinstance(first, dict):
        identifier = first.get("messageId") or first.get("eventID")
    return identifier if isinstance(identifier, str) and identifier else None


def record_id(namespace: str, key: Any) -> str:
    """Hash the key: keys may be long or sensitive (e.g. a payment reference)."""
    text = key if isinstance(key, str) else json.dumps(key, sort_keys=True, default=json_default)
    return f"{namespace}#{hashlib.sha256(text.encode()).hexdigest()}"


class IdempotencyStore:
    def __init__(self, table_name: str, client: Any, expires_after_seconds: int) -> None:
        self.table_name = table_name
        self.client = client
        self.expires_after_seconds = expires_after_seconds

    def try_start(self, item_id: str) -> dict[str, Any] | None:
        """Claim the key; None when claimed, else the existing item that blocks it."""
        now = time.time()
        remaining = current.remaining_time_ms()
        lock_ms = remaining if remaining and remaining > 0 else DEFAULT_IN_PROGRESS_MS
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "id": {"S": item_id},
                    "status": {"S": STATUS_IN_PROGRESS},
                    "expiration": {"N": str(int(now) + self.expires_after_seconds)},
                    "in_progress_expiration": {"N": str(int(now * 1000) + lock_ms)},
                },
                ConditionExpression=(
                    "attribute_not_exists(id) OR expiration < :now "
                    "OR (#status = :in_progress AND in_progress_expiration < :now_ms)"
                ),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":now": {"N": str(int(now))},
                    ":now_ms": {"N": str(int(now * 1000))},
                    ":in_progress": {"S": STATUS_IN_PROGRESS},
                },
            )
            return None
        except self.client.exceptions.ConditionalCheckFailedException:
            found = self.client.get_item(TableName=self.table_name, Key={"id": {"S": item_id}}, ConsistentRead=True)
            return found.get("Item") or {}

    def complete(self, item_id: str, result: Any) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key={"id": {"S": item_id}},
            UpdateExpression="SET #status = :completed, #data = :data, expiration = :expiration",
            ExpressionAttributeNames={"#status": "status", "#data": "data"},
            ExpressionAttributeValues={
                ":completed": {"S": STATUS_COMPLETED},
                ":data": {"S": json.dumps(result, default=json_default)},
                ":expiration": {"N": str(int(time.time()) + self.expires_after_seconds)},
            },
        )

    def release(self, item_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key={"id": {"S": item_id}})


def _stored_result(item: dict[str, Any]) -> Any:
    data = item.get("data", {}).get("S")
    return json.loads(data) if data is not None else None


def idempotent(
    function: Function | None = None,
    *,
    key: KeyFunction | None = None,
    table_name: str | None = None,
    expires_after_seconds: int = DEFAULT_EXPIRES_AFTER_SECONDS,
    client: Any = None,
) -> Any:
    """Make `function` run at most once per key within `expires_after_seconds`.

    `key` receives the function's arguments and returns the idempotency key (any JSON value);
    by default it is the SQS message id of the first argument. Results must be JSON values:
    a duplicate gets the stored result back. `table_name` defaults to env IDEMPOTENCY_TABLE.
    """

    def decorate(inner: Function) -> Function:
        namespace = f"{inner.__module__}.{inner.__qualname__}"
        key_of = key or message_id_key

        @functools.wraps(inner)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            idempotency_key = key_of(*args, **kwargs)
            if idempotency_key is None or idempotency_key == "":
                logger.warning("no idempotency key; running without idempotency", function=namespace)
                return inner(*args, **kwargs)
            name = table_name or os.environ.get("IDEMPOTENCY_TABLE")
            if not name:
                raise RuntimeError("idempotency needs a table: set IDEMPOTENCY_TABLE or pass table_name")
            store = IdempotencyStore(name, client or dynamodb_client(), expires_after_seconds)
            item_id = record_id(f"{current.service}#{namespace}", idempotency_key)
            existing = store.try_start(item_id)
            if existing is not None:
                status = existing.get("status", {}).get("S")
                if status == STATUS_COMPLETED:
                    logger.info("duplicate delivery skipped", function=namespace, idempotency_id=item_id)
                    return _stored_result(existing)
                if not existing:  # expired and removed between the two calls: claim again
                    if store.try_start(item_id) is None:
                        existing = None
                if existing is not None:
                    raise IdempotencyInProgressError(f"{namespace} is already processing this key")
            try:
                result = inner(*args, **kwargs)
            except BaseException:
                try:
                    store.release(item_id)
                except Exception as error:  # the lock then expires with in_progress_expiration
                    logger.exception("could not release idempotency record", exc=error, idempotency_id=item_id)
                raise
            try:
                store.complete(item_id, result)
            except Exception as error:
                # The side effect happened: failing now would make SQS redeliver and, once the lock
                # expires, repeat it. Keep the result; only a later duplicate may run again.
                logger.exception("could not record idempotent completion", exc=error, idempotency_id=item_id)
            return result

        return wrapper  # type: ignore[return-value]

    return decorate(function) if function is not None else decorate
