"""(c) The baseline plus Powertools Logger + Tracer + Metrics, configured as the Powertools docs show."""

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics()
client = boto3.client("dynamodb")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    item = client.get_item(TableName="platform-bench-orders", Key={"order_id": {"S": "o-1"}})["Item"]
    return {"statusCode": 200, "body": item["status"]["S"]}


__all__ = ["MetricUnit"]
