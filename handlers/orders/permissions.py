"""AWS actions the orders handler calls (see handlers/permissions.py); events leave through the table stream."""
from handlers.permissions import merged
from handlers.telemetry.permissions import IAM_ACTIONS as IDEMPOTENCY

IAM_ACTIONS = merged({"TABLE_NAME": ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan")}, IDEMPOTENCY)
