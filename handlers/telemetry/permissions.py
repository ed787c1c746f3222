"""AWS actions the shared telemetry code calls (see handlers/permissions.py): the idempotency store."""
IAM_ACTIONS = {"IDEMPOTENCY_TABLE": ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem",
                                     "dynamodb:DeleteItem")}
