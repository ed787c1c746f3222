"""Topic: an encrypted, traced SNS topic whose every queue and function subscription keeps what it cannot deliver."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from components.services.function import AsyncInvocation, FunctionSpec
from components.services.internal_function import InternalFunctionArgs
from components.services.queue_worker import QueueWorkerArgs
from components.services.topic import (EmailSubscriber, FunctionSubscriber, HttpsSubscriber, QueueSubscriber,
                                       TopicArgs)
from components.testing import Match
from tests.component.harness import Run, alarm_keys, alarms, arn, catalog, core_for, in_catalog, policy, section_titles

PAID = {"event_type": ["OrderPaid"]}
BIG = {"amount": [{"numeric": [">=", 100]}]}


@in_catalog
def declare(platform):
    kitchen = platform.add("kitchen", QueueWorkerArgs(handler="handlers.kitchen.app.handler", fifo=True))
    audit = platform.add("audit", QueueWorkerArgs(handler="handlers.audit.app.handler"))
    archive = platform.add("archive", QueueWorkerArgs(handler="handlers.archive.app.handler"))
    notify = platform.add("notify", InternalFunctionArgs(handler="handlers.notify.app.handler",
                                                         async_invocation=AsyncInvocation()))
    platform.add("order-events", TopicArgs(fifo=True, content_based_deduplication=True, subscribers=[
        QueueSubscriber(worker=kitchen), QueueSubscriber(worker=audit, filter_policy=PAID)]))
    alerts = platform.add("alerts", TopicArgs(subscribers=[
        QueueSubscriber(worker=archive, raw=False, filter_policy=BIG, filter_on="body"),
        FunctionSubscriber(function=notify.function, name="notify"),
        HttpsSubscriber(url="https://hooks.example.com/alerts", name="partner"),
        EmailSubscriber(addresses=["a@example.com", "b@example.com"])]))
    platform.add("announcer", InternalFunctionArgs(handler="handlers.announcer.app.handler",
                                                   access=[alerts.publish_access("ALERTS_TOPIC_ARN")]))


@pytest.fixture(scope="module")
def topics() -> Run:
    return catalog()


SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def subscription(topics: Run, logical: str) -> dict:
    return topics.view.get(logical).inputs


def test_topics_are_encrypted_traced_and_fifo_topics_end_in_fifo(topics):
    fifo, standard = topics.view.get("order-events-topic").inputs, topics.view.get("alerts-topic").inputs
    assert fifo["name"] == "platform-dev-order-events-topic.fifo"
    assert fifo["fifoTopic"] is True and fifo["contentBasedDeduplication"] is True
    assert standard["name"] == "platform-dev-alerts-topic" and "fifoTopic" not in standard
    for inputs in (fifo, standard):
        assert inputs["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")
        assert inputs["tracingConfig"] == "Active"
    group = topics.view.of_type("aws:xray/group:Group")[0].inputs["filterExpression"]
    assert 'service("platform-dev-alerts-topic")' in group


def test_queue_subscriptions_deliver_raw_with_their_filter_and_a_dlq_of_their_own(topics):
    kitchen = subscription(topics, "order-events-kitchen")
    assert (kitchen["protocol"], kitchen["endpoint"], kitchen["rawMessageDelivery"]) == (
        "sqs", arn("sqs", "platform-dev-kitchen-queue.fifo"), True)
    assert json.loads(kitchen["redrivePolicy"]) == {
        "deadLetterTargetArn": arn("sqs", "platform-dev-order-events-kitchen-dlq.fifo")}
    assert "filterPolicy" not in kitchen
    audit = subscription(topics, "order-events-audit")
    assert json.loads(audit["filterPolicy"]) == PAID and audit["filterPolicyScope"] == "MessageAttributes"
    archive = subscription(topics, "alerts-archive")
    assert json.loads(archive["filterPolicy"]) == BIG and archive["filterPolicyScope"] == "MessageBody"
    assert archive["rawMessageDelivery"] is False
    dlq = topics.view.get("order-events-kitchen-dlq").inputs
    assert dlq["fifoQueue"] is True and dlq["messageRetentionSeconds"] == 14 * 24 * 3600


def test_subscribed_queues_and_every_dlq_admit_this_topic_only(topics):
    topic_arn = arn("sns", "platform-dev-order-events-topic.fifo")
    for logical, queue in (("order-events-kitchen-queue-policy", "platform-dev-kitchen-queue.fifo"),
                           ("order-events-kitchen-dlq-policy", "platform-dev-order-events-kitchen-dlq.fifo"),
                           ("order-events-audit-queue-policy", "platform-dev-audit-queue")):
        (statement,) = json.loads(topics.view.get(logical).inputs["policy"])["Statement"]
        assert statement == {"Sid": "DeliverFromSources", "Effect": "Allow",
                             "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                             "Resource": arn("sqs", queue), "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}


def test_function_subscription_is_permitted_for_this_topic_and_keeps_failures(topics):
    sub = subscription(topics, "alerts-notify")
    assert (sub["protocol"], sub["endpoint"]) == ("lambda", arn("lambda", "function:platform-dev-notify-function"))
    assert json.loads(sub["redrivePolicy"])["deadLetterTargetArn"] == arn("sqs", "platform-dev-alerts-notify-dlq")
    permission = topics.view.get("alerts-notify-invoke").inputs
    assert (permission["principal"], permission["sourceArn"], permission["function"]) == (
        "sns.amazonaws.com", arn("sns", "platform-dev-alerts-topic"), "platform-dev-notify-function")
    assert topics.view.get("notify-function-async").inputs["destinationConfig"]["onFailure"]["destination"] == \
        arn("sqs", "platform-dev-notify-function-failed")


def test_https_subscription_has_a_dlq_and_email_subscriptions_are_secret(topics):
    view = topics.view
    view.has_resource(SUBSCRIPTION, name="alerts-partner", props={
        "protocol": "https", "endpoint": "https://hooks.example.com/alerts", "endpointAutoConfirms": False,
        "redrivePolicy": Match.serialized_json({"deadLetterTargetArn": arn("sqs", "platform-dev-alerts-partner-dlq")})})
    for index, address in enumerate(["a@example.com", "b@example.com"]):
        view.has_resource(SUBSCRIPTION, name=f"alerts-email-{index}", props={
            "protocol": "email", "endpoint": Match.secret(address), "redrivePolicy": Match.absent()})
    assert "a@example.com" not in json.dumps(view.inventory())


def test_publish_access_is_publish_on_this_topic_and_the_key_through_sns(topics):
    statements = policy(topics.view, "announcer-function-policy")
    assert statements["PublishAlerts"] == {"Sid": "PublishAlerts", "Effect": "Allow", "Action": ["sns:Publish"],
                                           "Resource": arn("sns", "platform-dev-alerts-topic")}
    assert statements["UseStackKeyViaSns"]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["sns.eu-west-1.amazonaws.com"]}}
    env = topics.view.get("announcer-function-function").inputs["environment"]["variables"]
    assert env["ALERTS_TOPIC_ARN"] == arn("sns", "platform-dev-alerts-topic")


def test_alarm_set_failed_notifications_from_settings_and_dlq_depth_per_subscription(topics):
    assert alarm_keys(topics.view, "alerts") == {
        "sns-topic-failed-warning", "sns-topic-failed-critical", "sqs-archive-dlq-dlq-depth-critical",
        "sqs-notify-dlq-dlq-depth-critical", "sqs-partner-dlq-dlq-depth-critical"}
    by_name = alarms(topics.view, "alerts")
    for severity, threshold in (("warning", 2), ("critical", 10)):
        failed = by_name[f"platform-dev-alerts-sns-topic-failed-{severity}"]
        assert (failed["metricName"], failed["dimensions"], failed["threshold"], failed["statistic"]) == (
            "NumberOfNotificationsFailed", {"TopicName": "platform-dev-alerts-topic"}, threshold, "Sum")
    depth = by_name["platform-dev-alerts-sqs-partner-dlq-dlq-depth-critical"]
    assert (depth["dimensions"], depth["threshold"]) == ({"QueueName": "platform-dev-alerts-partner-dlq"}, 1)


def test_dashboard_sections_and_services_output(topics):
    assert section_titles(topics.view, "order-events") == [
        "SQS dead-letter queue platform-dev-order-events-kitchen-dlq.fifo",
        "SQS dead-letter queue platform-dev-order-events-audit-dlq.fifo", "SNS platform-dev-order-events-topic.fifo"]
    entry = topics.view.outputs["services"]["alerts"]
    assert (entry["kind"], entry["topicArn"]) == ("topic", arn("sns", "platform-dev-alerts-topic"))


# -- bad arguments --------------------------------------------------------------------------------
CORE = core_for()


class Worker:
    """What TopicArgs.problems reads of a QueueWorker (a stand-in keeps Pulumi out of the loops)."""

    def __init__(self, service: str, fifo: bool = False, subscribed_to: str | None = None) -> None:
        self.service, self.fifo, self.subscribed_to, self.queue = service, fifo, subscribed_to, object()


class Function:
    """What TopicArgs.problems reads of an ObservedFunction: its spec."""

    def __init__(self, service: str, async_invocation: AsyncInvocation | None = AsyncInvocation()) -> None:
        self.spec = FunctionSpec(service=service, part="function", handler="h.app.handler", description="",
                                 async_invocation=async_invocation)
        self.arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{service}"


def problems_of(**args) -> list[str]:
    return TopicArgs(**args).problems(CORE)


@hypothesis_settings(max_examples=50, deadline=None)
@given(topic_fifo=st.booleans(), queue_fifo=st.booleans())
def test_a_fifo_queue_subscribes_only_to_a_fifo_topic(topic_fifo, queue_fifo):
    problems = problems_of(fifo=topic_fifo, subscribers=[QueueSubscriber(worker=Worker("kitchen", fifo=queue_fifo))])
    rejected = ["subscriber kitchen: a FIFO queue cannot subscribe to a standard topic; make this topic fifo=True"]
    assert problems == (rejected if queue_fifo and not topic_fifo else [])


@pytest.mark.parametrize("subscriber", [
    FunctionSubscriber(function=Function("fn"), name="fn"), HttpsSubscriber(url="https://x.example.com"),
    EmailSubscriber(addresses=["a@example.com"])])
def test_a_fifo_topic_delivers_to_queues_only(subscriber):
    assert problems_of(fifo=True, subscribers=[subscriber]) == [
        f"subscriber {subscriber.part}: a FIFO topic delivers to SQS queues only"]


@pytest.mark.parametrize("args, expected", [
    ({"subscribers": [QueueSubscriber(worker=Worker("a", subscribed_to="other"))]},
     "subscriber a: its queue already takes messages from other"),
    ({"subscribers": [QueueSubscriber(worker=Worker("a")), QueueSubscriber(worker=Worker("a"))]},
     "subscribers: ['a', 'a'] must be distinct"),
    ({"subscribers": [HttpsSubscriber(url="https://a.example.com"), HttpsSubscriber(url="https://b.example.com")]},
     "subscribers: ['https', 'https'] must be distinct"),
    ({"subscribers": [HttpsSubscriber(url="http://a.example.com")]}, "subscriber https: url must be https://"),
    ({"subscribers": [QueueSubscriber(worker=object())]}, "subscriber queue: QueueSubscriber takes a QueueWorker"),
    ({"subscribers": [QueueSubscriber()]}, "subscriber queue: QueueSubscriber takes a QueueWorker"),
    ({"subscribers": [FunctionSubscriber(name="fn")]}, "subscriber fn: FunctionSubscriber takes a function"),
    ({"subscribers": [FunctionSubscriber(function=Worker("svc"))]},
     "subscriber function: FunctionSubscriber takes a function"),
    ({"subscribers": [FunctionSubscriber(function=Function("notify", async_invocation=None))]},
     "subscriber notify: SNS invokes functions asynchronously; give notify's function async_invocation"),
    ({"subscribers": [QueueSubscriber(worker=Worker("a"), filter_policy={})]},
     "subscriber a: filter_policy must be a non-empty mapping"),
    ({"subscribers": [QueueSubscriber(worker=Worker("a"), filter_policy={f"k{i}": ["v"] for i in range(6)})]},
     "subscriber a: filter_policy has 6 keys; SNS allows 5"),
    ({"content_based_deduplication": True}, "content_based_deduplication: only FIFO topics deduplicate"),
])
def test_each_bad_argument_is_named(args, expected):
    problems = problems_of(**args)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_filter_on_the_body_may_nest_more_than_five_keys():
    nested = {f"k{i}": ["v"] for i in range(6)}
    assert problems_of(subscribers=[QueueSubscriber(worker=Worker("a"), filter_policy=nested, filter_on="body")]) == []


def test_a_function_subscriber_with_async_invocation_is_accepted():
    assert problems_of(subscribers=[FunctionSubscriber(function=Function("notify"))]) == []


@hypothesis_settings(max_examples=200, deadline=None)
@given(name=st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True), st.text(max_size=12)))
def test_subscriber_names_become_resource_names_so_they_follow_the_naming_rules(name):
    problems = problems_of(subscribers=[HttpsSubscriber(url="https://a.example.com", name=name),
                                        EmailSubscriber(addresses=["a@example.com"], name=f"{name}-mail")])
    valid = re.fullmatch(r"[a-z][a-z0-9-]*", name) is not None
    assert (problems == []) == valid
    if not valid:
        assert f"subscriber {name}: name must be lowercase letters, digits and '-'" in problems
