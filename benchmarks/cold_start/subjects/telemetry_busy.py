"""(b') Like (b), and the handler also writes one log line and one metric per invocation."""

import boto3

from handlers.telemetry import instrument, logger, metrics

client = boto3.client("dynamodb")


@instrument
def handler(event, context):
    logger.info("handled", path=event.get("path"))
    metrics.add_metric("Handled", 1, unit="Count")
    return {"statusCode": 200, "body": "{}"}
