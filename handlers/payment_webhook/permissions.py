"""AWS actions the payment webhook worker calls (see handlers/permissions.py); its queue is its event source."""
IAM_ACTIONS = {"WEBHOOK_SECRET_ARN": ("secretsmanager:GetSecretValue",), "TABLE_NAME": ("dynamodb:PutItem",)}
