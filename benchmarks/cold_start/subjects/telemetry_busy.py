"""(b') Like (b), and the handler also writes one log line and one metric per invocation."""

import boto3

from handlers.telemetry import MetricUnit, instrument, logger, metrics

client = boto3.client("dynamodb")


@instrument
def handler(event, context):
    item = client.get_item(TableName="platform-bench-orders", Key={"order_id": {"S": "o-1"}})["Item"]
    logger.info("handled", path=event.get("path"))
    metrics.add_metric("Handled", 1, unit=MetricUnit.Count)
    return {"statusCode": 200, "body": item["status"]["S"]}
