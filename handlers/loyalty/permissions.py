"""AWS actions the loyalty worker calls (see handlers/permissions.py); its queue is its event source."""
from handlers.permissions import merged
from handlers.telemetry.permissions import IAM_ACTIONS as IDEMPOTENCY

IAM_ACTIONS = merged({"TABLE_NAME": ("dynamodb:UpdateItem",)}, IDEMPOTENCY)
