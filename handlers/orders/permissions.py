"""AWS actions the orders handler calls (see handlers/permissions.py)."""
IAM_ACTIONS = {"TABLE_NAME": ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan"),
               "ORDER_EVENTS_TOPIC_ARN": ("sns:Publish",)}
