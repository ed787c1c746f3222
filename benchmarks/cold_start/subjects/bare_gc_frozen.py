"""(a') The baseline with the same gc.freeze() the telemetry package does after `import boto3`.

Separates the package's own import cost from the garbage-collection effect of freezing.
"""

import gc

import boto3

gc.freeze()
client = boto3.client("dynamodb")


def handler(event, context):
    item = client.get_item(TableName="platform-bench-orders", Key={"order_id": {"S": "o-1"}})["Item"]
    return {"statusCode": 200, "body": item["status"]["S"]}
