"""AWS actions the data extractor calls (see handlers/permissions.py): it reads another service's table."""
IAM_ACTIONS = {"SALES_TABLE_NAME": ("dynamodb:Query",)}
