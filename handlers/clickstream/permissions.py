"""AWS actions the clickstream consumer calls (see handlers/permissions.py); its stream is its event source."""
IAM_ACTIONS = {"TABLE_NAME": ("dynamodb:PutItem", "dynamodb:UpdateItem")}
