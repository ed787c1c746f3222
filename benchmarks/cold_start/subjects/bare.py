"""(a) Baseline: a handler that imports boto3 and creates one client at init."""

import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    return {"statusCode": 200, "body": "{}"}
