"""(b) The baseline plus this repository's telemetry package."""

import boto3

from handlers.telemetry import instrument

client = boto3.client("dynamodb")


@instrument
def handler(event, context):
    item = client.get_item(TableName="platform-bench-orders", Key={"order_id": {"S": "o-1"}})["Item"]
    return {"statusCode": 200, "body": item["status"]["S"]}
