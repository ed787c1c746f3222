"""AWS actions the kitchen worker calls (see handlers/permissions.py); its queue is its event source."""
IAM_ACTIONS = {"TABLE_NAME": ("dynamodb:PutItem", "dynamodb:UpdateItem")}
