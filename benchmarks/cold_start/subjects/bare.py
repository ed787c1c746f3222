"""(a) Baseline: a handler that imports boto3, creates one client at init and reads one item per call.

The endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` (the benchmark's local stand-in), so the
code is exactly what a production handler would contain.
"""

import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    item = client.get_item(TableName="platform-bench-orders", Key={"order_id": {"S": "o-1"}})["Item"]
    return {"statusCode": 200, "body": item["status"]["S"]}
