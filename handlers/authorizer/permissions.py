"""AWS actions the Gatekeeper authorizer calls (see handlers/permissions.py)."""
IAM_ACTIONS = {"AUTH_SECRET_ARN": ("secretsmanager:GetSecretValue",)}
