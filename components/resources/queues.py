"""SQS queues every kind creates the same way: encrypted with the stack key, named, alarmed.

Dead-letter queues are the platform's promise that an asynchronous path loses nothing, so one
function makes them all: 14 days of retention (the SQS maximum), the stack key, and a ref that the
alarm and dashboard builders turn into a depth alarm and a dashboard section.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Sequence

import pulumi
import pulumi_aws as aws

from components.observability.refs import QueueRef

if TYPE_CHECKING:
    from components.core import PlatformCore

#: The longest SQS keeps a message: failed events wait two weeks for someone to redrive them.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
FIFO_SUFFIX = ".fifo"


def queue_name(core: PlatformCore, service: str, part: str, fifo: bool) -> str:
    """FIFO queues must end in `.fifo`, which counts against the 80-character limit."""
    if not fifo:
        return core.namer.physical(service, part, "sqs_queue")
    from components.naming import LIMITS, shorten
    base = shorten(f"{core.namer.prefix}-{service}-{part}", LIMITS["sqs_queue"] - len(FIFO_SUFFIX))
    core.namer.physical(service, part, "sqs_queue")  # validates the parts
    return base + FIFO_SUFFIX


class Queue:
    """An SQS queue with its ref; `redrive_to` makes it hand poison messages to a dead-letter queue."""

    def __init__(self, logical_name: str, core: PlatformCore, service: str, part: str, *,
                 parent: pulumi.Resource, fifo: bool = False, visibility_timeout_seconds: int = 30,
                 retention_seconds: int = 4 * 24 * 3600, dead_letter: bool = False,
                 redrive_to: "Queue | None" = None, max_receive_count: int | None = None,
                 content_based_deduplication: bool = False, receive_wait_seconds: int = 0) -> None:
        self.name = queue_name(core, service, part, fifo)
        self.fifo = fifo
        self.part = part
        redrive = None
        if redrive_to is not None:
            if max_receive_count is None:
                raise ValueError(f"queue {self.name}: a redrive policy needs max_receive_count")
            count = max_receive_count
            redrive = redrive_to.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn,
                                                                  "maxReceiveCount": count}))
        self.queue = aws.sqs.Queue(
            logical_name, name=self.name, fifo_queue=fifo or None,
            content_based_deduplication=content_based_deduplication if fifo else None,
            kms_master_key_id=core.key.arn, kms_data_key_reuse_period_seconds=300,
            visibility_timeout_seconds=visibility_timeout_seconds,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS if dead_letter else retention_seconds,
            receive_wait_time_seconds=receive_wait_seconds,
            redrive_policy=redrive, tags=core.tags_for(service),
            opts=pulumi.ResourceOptions(parent=parent))
        self.arn: pulumi.Output[str] = self.queue.arn
        self.url: pulumi.Output[str] = self.queue.url
        self.ref = QueueRef(queue_name=self.name, visibility_timeout_seconds=visibility_timeout_seconds,
                            is_dead_letter=dead_letter, part=part)


def dead_letter_queue(logical_name: str, core: PlatformCore, service: str, part: str, *,
                      parent: pulumi.Resource, fifo: bool = False) -> Queue:
    return Queue(logical_name, core, service, part, parent=parent, fifo=fifo, dead_letter=True)


def allow_service_to_send(logical_name: str, queue: Queue, principal: str,
                          source_arns: Sequence[pulumi.Input[str]], parent: pulumi.Resource) -> aws.sqs.QueuePolicy:
    """A queue policy letting an AWS service deliver to the queue, only on behalf of the named sources."""
    def policy(values: list[Any]) -> str:
        queue_arn, *sources = values
        return json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "DeliverFromSources", "Effect": "Allow", "Principal": {"Service": principal},
            "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sorted(sources) if len(sources) > 1 else sources[0]}}}]},
            sort_keys=True)

    return aws.sqs.QueuePolicy(logical_name, queue_url=queue.url,
                               policy=pulumi.Output.all(queue.arn, *source_arns).apply(policy),
                               opts=pulumi.ResourceOptions(parent=parent))

