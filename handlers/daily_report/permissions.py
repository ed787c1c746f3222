"""AWS actions the daily report calls (see handlers/permissions.py)."""
from handlers.permissions import merged
from handlers.telemetry.permissions import IAM_ACTIONS as IDEMPOTENCY

IAM_ACTIONS = merged({"DATA_EXTRACTOR_FUNCTION": ("lambda:InvokeFunction",), "REPORT_TOPIC_ARN": ("sns:Publish",)},
                     IDEMPOTENCY)
