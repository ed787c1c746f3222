"""Payment webhook worker: consumes the queue API Gateway writes `POST /webhooks/payment` to.

Each record is verified (HMAC-SHA256 signature, at most 300 s between signing and receipt) and
then recorded. A record that fails either check fails alone: it is reported in the partial
batch response, SQS redelivers it, and after the queue's maxReceiveCount it moves to the
dead-letter queue, where it stays for inspection. Nothing is dropped and nothing blocks the
records behind it. Env: TABLE_NAME, WEBHOOK_SECRET_ARN (docs/cafe.md).
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.boto_clients import client
from handlers.payment_webhook import signature
from handlers.payment_webhook.event import MalformedEvent, parse_event
from handlers.payment_webhook.secret import webhook_secret
from handlers.payment_webhook.store import PaymentEvents
from handlers.telemetry import MetricUnit, instrument, logger, metrics
from handlers.telemetry.batch import process_sqs_batch

SIGNATURE_ATTRIBUTE = "signature"


def table_name() -> str:
    name = os.environ.get("TABLE_NAME", "").strip()
    if not name:
        raise RuntimeError("TABLE_NAME is not set")
    return name


def received_at(record: SQSRecord) -> float:
    """When API Gateway put the request on the queue: SQS's SentTimestamp, which no sender can set."""
    sent = record.raw_event.get("attributes", {}).get("SentTimestamp")
    return int(sent) / 1000 if isinstance(sent, str) and sent.isdigit() else time.time()


def iso(epoch_seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_seconds)) + f".{int(epoch_seconds % 1 * 1000):03d}Z"


def signature_of(record: SQSRecord) -> str | None:
    attribute = (record.raw_event.get("messageAttributes") or {}).get(SIGNATURE_ATTRIBUTE) or {}
    value = attribute.get("stringValue")
    return value if isinstance(value, str) else None


def handle(record: SQSRecord, secret: bytes, events: PaymentEvents) -> None:
    body = record.body.encode("utf-8") if isinstance(record.body, str) else b""
    arrived = received_at(record)
    try:
        signed_at = signature.verify(secret, signature_of(record), body, arrived)
    except signature.InvalidSignature:
        metrics.add_metric("WebhookSignatureRejected", 1, unit=MetricUnit.Count)
        raise
    try:
        event = parse_event(body)
    except MalformedEvent:
        metrics.add_metric("WebhookMalformed", 1, unit=MetricUnit.Count)
        raise
    logger.append_keys(payment_id=event.payment_id, event_id=event.event_id, order_id=event.order_id)
    stored = events.record(event, signed_at, iso(arrived))
    metrics.add_metric("PaymentEventsRecorded" if stored else "PaymentEventsSuperseded", 1, unit=MetricUnit.Count)
    logger.info("payment event recorded" if stored else "payment event already recorded or superseded", status=event.status)
    logger.remove_keys("payment_id", "event_id", "order_id")


@instrument(service="payment-webhook")
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    secret = webhook_secret()
    events = PaymentEvents(client("dynamodb"), table_name())
    return dict(process_sqs_batch(event, context, lambda record: handle(record, secret, events)))
