"""AWS actions the log shipper calls (see handlers/permissions.py).

Lambda itself reads the log stream and writes the on-failure queue with the function's role; the
platform grants those from the event source and destinations, not from this declaration.
"""
IAM_ACTIONS = {"OPENSEARCH_ENDPOINT": ("es:ESHttpPost",), "DEAD_LETTER_BUCKET": ("s3:PutObject",)}
#: `python -m handlers.log_shipper.replay` runs with an operator's credentials, not the function's role.
RUN_BY_OPERATORS = ("handlers.log_shipper.replay",)
