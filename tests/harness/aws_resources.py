"""Test set-up over moto's real APIs: queues with their DLQ, topics with a queue to read them.

Not a stand-in for anything: these only create resources the components would create, with the
same settings (redrive policy, FIFO, raw delivery, filter policy), and read what reached them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

import boto3

from tests.handlers.telemetry.helpers import REGION


@dataclass(frozen=True)
class Queue:
    url: str
    arn: str
    dlq_url: str | None = None


def queue_arn(url: str) -> str:
    return boto3.client("sqs", region_name=REGION).get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def make_queue(name: str, *, max_receive_count: int | None = None, fifo: bool = False, **attributes: str) -> Queue:
    """A queue named `name` (`.fifo` added for FIFO), with `<name>-dlq` when max_receive_count is given."""
    sqs = boto3.client("sqs", region_name=REGION)
    suffix = ".fifo" if fifo else ""
    base = {"FifoQueue": "true"} if fifo else {}
    dlq_url = None
    settings = {**base, **attributes}
    if max_receive_count is not None:
        dlq_url = sqs.create_queue(QueueName=f"{name}-dlq{suffix}", Attributes=base)["QueueUrl"]
        settings["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": queue_arn(dlq_url), "maxReceiveCount": str(max_receive_count)})
    url = sqs.create_queue(QueueName=f"{name}{suffix}", Attributes=settings)["QueueUrl"]
    return Queue(url, queue_arn(url), dlq_url)


def subscribe_queue(topic_arn: str, queue: Queue, *, raw: bool = True, filter_policy: Mapping[str, Any] | None = None) -> None:
    attributes = {"RawMessageDelivery": "true" if raw else "false"}
    if filter_policy is not None:
        attributes["FilterPolicy"] = json.dumps(filter_policy)
    boto3.client("sns", region_name=REGION).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn, Attributes=attributes)


def topic_with_inbox(name: str, *, fifo: bool = False, raw: bool = False) -> tuple[str, Queue]:
    """A topic and a queue subscribed to it, to read what was published (an e-mail's stand-in reader).

    Non-raw by default: the SNS envelope keeps the Subject, which e-mail subscribers see.
    """
    sns = boto3.client("sns", region_name=REGION)
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "false"} if fifo else {}
    topic = sns.create_topic(Name=f"{name}.fifo" if fifo else name, Attributes=attributes)["TopicArn"]
    inbox = make_queue(f"{name}-inbox", fifo=fifo)
    subscribe_queue(topic, inbox, raw=raw)
    return topic, inbox


def receive_all(url: str) -> list[dict[str, Any]]:
    """Every visible message, with all attributes, left visible again afterwards."""
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"], WaitTimeSeconds=0,
        ).get("Messages", [])
        if not batch:
            break
        found.extend(batch)
    for start in range(0, len(found), 10):
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 0}
            for index, message in enumerate(found[start:start + 10])])
    return found


def bodies(url: str | None) -> list[str]:
    return sorted(message["Body"] for message in receive_all(url)) if url else []


def publish_order_event(topic_arn: str, document: Mapping[str, Any], group: str | None = None, dedup: str | None = None) -> str:
    """Publish an order-events message the way its producers do: event_type attribute, trace context."""
    from handlers.telemetry.propagation import inject_sns

    entry: dict[str, Any] = {
        "TopicArn": topic_arn,
        "Message": json.dumps(document),
        "MessageAttributes": {"event_type": {"DataType": "String", "StringValue": str(document.get("event_type"))}},
    }
    if group is not None:
        entry["MessageGroupId"] = group
        entry["MessageDeduplicationId"] = dedup or f"{document.get('event_type')}-{group}"
    return boto3.client("sns", region_name=REGION).publish(**inject_sns(entry))["MessageId"]
