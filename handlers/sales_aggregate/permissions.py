"""AWS actions the sales aggregate calls (see handlers/permissions.py): transactions put markers and update totals."""
from handlers.permissions import merged
from handlers.telemetry.permissions import IAM_ACTIONS as IDEMPOTENCY

IAM_ACTIONS = merged({"TABLE_NAME": ("dynamodb:PutItem", "dynamodb:UpdateItem"),
                      "HIGH_BALANCE_TOPIC_ARN": ("sns:Publish",)}, IDEMPOTENCY)
