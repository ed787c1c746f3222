"""AWS actions the fulfilment tasks call (see handlers/permissions.py): each task's function names only
the table it uses, so its role is checked against the variables in its environment."""
IAM_ACTIONS = {"STOCK_TABLE": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"),
               "CIRCUIT_TABLE": ("dynamodb:GetItem", "dynamodb:UpdateItem")}
