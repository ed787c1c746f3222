"""`Topic`: an SNS topic that fans out to queues, functions, HTTPS endpoints and e-mail (the Notifier).

Encrypted with the stack key and traced with X-Ray active tracing. Every queue and function
subscription gets a dead-letter queue of its own (a redrive policy), because a message SNS cannot
deliver there is otherwise gone; the depth of each is alarmed. A FIFO topic keeps order per message
group and deduplicates, and may feed FIFO and standard queues only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components.core import PlatformCore
from components.naming import LIMITS, shorten
from components.observability.refs import ServiceView, TopicRef
from components.resources.queues import Queue, allow_service_to_send, dead_letter_queue
from components.services.access import Access, sid, statement
from components.services.function import function_target_problems
from components.services.service import ServiceArgs, ServiceComponent

FIFO_SUFFIX = ".fifo"
#: SNS: a filter policy may have at most 5 keys and 150 value combinations, and 256 KB.
MAX_FILTER_KEYS = 5


@dataclass(frozen=True)
class Subscriber:
    #: Which messages reach this subscriber, e.g. {"event_type": ["OrderPaid"]} (SNS filter policy syntax).
    filter_policy: Mapping[str, Any] | None = None
    filter_on: Literal["attributes", "body"] = "attributes"

    @property
    def part(self) -> str:
        raise NotImplementedError

    def filter_problems(self) -> list[str]:
        if self.filter_policy is None:
            return []
        if not isinstance(self.filter_policy, Mapping) or not self.filter_policy:
            return [f"subscriber {self.part}: filter_policy must be a non-empty mapping"]
        if self.filter_on == "attributes" and len(self.filter_policy) > MAX_FILTER_KEYS:
            return [f"subscriber {self.part}: filter_policy has {len(self.filter_policy)} keys; SNS allows "
                    f"{MAX_FILTER_KEYS}"]
        return []


@dataclass(frozen=True)
class QueueSubscriber(Subscriber):
    """A `QueueWorker`; with `raw` (the default) the SQS body is the published message itself and the
    message attributes (trace context included) arrive as SQS message attributes."""

    worker: Any = None
    raw: bool = True

    @property
    def part(self) -> str:
        return str(getattr(self.worker, "service", "queue"))  # a wrong worker is reported, not raised


@dataclass(frozen=True)
class FunctionSubscriber(Subscriber):
    """A function of another service (e.g. `service.function`). SNS invokes it asynchronously, so its
    function must have `async_invocation`, or the events it fails on would be dropped."""

    function: Any = None      # an ObservedFunction
    name: str = ""

    @property
    def part(self) -> str:
        return self.name or str(getattr(getattr(self.function, "spec", None), "service", "function"))


@dataclass(frozen=True)
class HttpsSubscriber(Subscriber):
    url: str = ""
    name: str = "https"

    @property
    def part(self) -> str:
        return self.name


@dataclass(frozen=True)
class EmailSubscriber(Subscriber):
    """Addresses are Pulumi secrets (from secret config); each must confirm the subscription once."""

    addresses: Sequence[pulumi.Input[str]] = ()
    name: str = "email"

    @property
    def part(self) -> str:
        return self.name


@dataclass(frozen=True)
class TopicArgs(ServiceArgs["Topic"]):
    subscribers: Sequence[Subscriber] = ()
    fifo: bool = False
    content_based_deduplication: bool = False
    description: str = ""

    def problems(self, core: PlatformCore) -> list[str]:
        found: list[str] = []
        parts = [s.part for s in self.subscribers]
        if len(parts) != len(set(parts)):
            found.append(f"subscribers: {parts} must be distinct (name the HTTPS and e-mail subscribers)")
        for subscriber in self.subscribers:
            found += subscriber.filter_problems()
            try:  # the part names the subscription and its dead-letter queue
                core.namer.physical("topic", f"{subscriber.part}-dlq", "sqs_queue")
            except ValueError:
                found.append(f"subscriber {subscriber.part}: name must be lowercase letters, digits and '-'")
            if isinstance(subscriber, QueueSubscriber):
                if subscriber.worker is None or not hasattr(subscriber.worker, "queue"):
                    found.append(f"subscriber {subscriber.part}: QueueSubscriber takes a QueueWorker")
                    continue
                if subscriber.worker.fifo and not self.fifo:
                    found.append(f"subscriber {subscriber.part}: a FIFO queue cannot subscribe to a standard "
                                 "topic; make this topic fifo=True")
                if getattr(subscriber.worker, "subscribed_to", None):
                    found.append(f"subscriber {subscriber.part}: its queue already takes messages from "
                                 f"{subscriber.worker.subscribed_to}; a queue has one policy, so one topic")
            elif self.fifo:
                found.append(f"subscriber {subscriber.part}: a FIFO topic delivers to SQS queues only")
            if isinstance(subscriber, HttpsSubscriber) and not subscriber.url.startswith("https://"):
                found.append(f"subscriber {subscriber.part}: url must be https://")
            if isinstance(subscriber, FunctionSubscriber):
                found += function_target_problems(f"subscriber {subscriber.part}", "SNS", subscriber.function,
                                                  "FunctionSubscriber")
        if self.content_based_deduplication and not self.fifo:
            found.append("content_based_deduplication: only FIFO topics deduplicate")
        return found

    def build(self, service: str, core: PlatformCore) -> Topic:
        return Topic(service, self, core)


def topic_name(core: PlatformCore, service: str, fifo: bool) -> str:
    if not fifo:
        return core.namer.physical(service, "topic", "sns_topic")
    return shorten(f"{core.namer.prefix}-{service}-topic", LIMITS["sns_topic"] - len(FIFO_SUFFIX)) + FIFO_SUFFIX


class Topic(ServiceComponent):
    kind = "topic"

    def __init__(self, service: str, args: TopicArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:Topic", service, core)
        self.fifo = args.fifo
        self.topic_name = topic_name(core, service, args.fifo)
        self.topic = aws.sns.Topic(
            f"{service}-topic", name=self.topic_name, fifo_topic=args.fifo or None,
            content_based_deduplication=args.content_based_deduplication if args.fifo else None,
            kms_master_key_id=core.key.arn, tracing_config="Active", tags=self.tags, opts=self.child)
        self.arn: pulumi.Output[str] = self.topic.arn
        core.trace(self.topic_name)
        dead_letters: list[Queue] = []
        for subscriber in args.subscribers:
            dead = self._subscribe(subscriber)
            if dead is not None:
                dead_letters.append(dead)
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id,
                                 topics=(TopicRef(topic_name=self.topic_name, part="topic"),),
                                 queues=tuple(d.ref for d in dead_letters)),
                     outputs={"topicArn": self.arn})

    def _subscribe(self, subscriber: Subscriber) -> Queue | None:
        name = f"{self.service}-{subscriber.part}"
        common: dict[str, Any] = {}
        if subscriber.filter_policy is not None:
            common["filter_policy"] = json.dumps(subscriber.filter_policy, sort_keys=True)
            common["filter_policy_scope"] = "MessageAttributes" if subscriber.filter_on == "attributes" \
                else "MessageBody"
        if isinstance(subscriber, EmailSubscriber):
            for index, address in enumerate(subscriber.addresses):
                aws.sns.TopicSubscription(f"{name}-{index}", topic=self.arn, protocol="email",
                                          endpoint=pulumi.Output.secret(address), opts=self.child, **common)
            return None
        dead = dead_letter_queue(f"{name}-dlq", self.core, self.service, f"{subscriber.part}-dlq", parent=self,
                                 fifo=self.fifo)
        allow_service_to_send(f"{name}-dlq-policy", dead, "sns.amazonaws.com", [self.arn], self)
        common["redrive_policy"] = dead.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn}))
        if isinstance(subscriber, QueueSubscriber):
            worker = subscriber.worker
            policy = allow_service_to_send(f"{name}-queue-policy", worker.queue, "sns.amazonaws.com", [self.arn], self)
            worker.subscribed_to = self.service
            aws.sns.TopicSubscription(name, topic=self.arn, protocol="sqs", endpoint=worker.queue.arn,
                                      raw_message_delivery=subscriber.raw,
                                      opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]), **common)
        elif isinstance(subscriber, FunctionSubscriber):
            function = subscriber.function
            permission = aws.lambda_.Permission(
                f"{name}-invoke", action="lambda:InvokeFunction", function=function.function.name,
                principal="sns.amazonaws.com", source_arn=self.arn, opts=self.child)
            aws.sns.TopicSubscription(name, topic=self.arn, protocol="lambda", endpoint=function.arn,
                                      opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]), **common)
        elif isinstance(subscriber, HttpsSubscriber):
            aws.sns.TopicSubscription(name, topic=self.arn, protocol="https", endpoint=subscriber.url,
                                      endpoint_auto_confirms=False, opts=self.child, **common)
        return dead

    def publish_statement(self) -> pulumi.Output[dict]:
        return statement(sid("publish", self.service), ["sns:Publish"], self.arn)

    def publish_access(self, env_var: str) -> Access:
        """For a function that publishes here: the topic's ARN, sns:Publish on it, the key through SNS."""
        return Access(environment={env_var: self.arn}, statements=(self.publish_statement(),), key_services=("sns",))
