"""AWS actions the order outbox calls (see handlers/permissions.py); it reads the table stream as its event source."""
from handlers.permissions import merged
from handlers.telemetry.permissions import IAM_ACTIONS as IDEMPOTENCY

IAM_ACTIONS = merged({"ORDER_EVENTS_TOPIC_ARN": ("sns:Publish",), "EVENT_BUS_NAME": ("events:PutEvents",)}, IDEMPOTENCY)
