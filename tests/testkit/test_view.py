"""The kit's view of a run: plain values, assertions that explain their failures, the tree, outputs,
type tokens checked, and one clear error for a program that fails under the mocks."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pulumi
import pulumi_aws as aws
import pytest

from components.testing import (UNKNOWN, KitAssertionError, Match, PlatformView, ProgramError, Secret,
                                UnknownTypeError, run_program, run_services, run_stack)

QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


class Shop(pulumi.ComponentResource):
    """A small component of the kind a user writes: children parented to it, an output of its own."""

    def __init__(self, name: str, *, fifo: bool = False) -> None:
        super().__init__("shop:index:Shop", name, None)
        child = pulumi.ResourceOptions(parent=self)
        suffix = ".fifo" if fifo else ""
        self.dlq = aws.sqs.Queue(f"{name}-dlq", name=f"{name}-dlq{suffix}", fifo_queue=fifo or None, opts=child)
        self.queue = aws.sqs.Queue(f"{name}-queue", name=f"{name}-queue{suffix}", fifo_queue=fifo or None,
                                   visibility_timeout_seconds=60, opts=child,
                                   redrive_policy=self.dlq.arn.apply(lambda arn: json.dumps(
                                       {"deadLetterTargetArn": arn, "maxReceiveCount": 5})))
        self.topic = aws.sns.Topic(f"{name}-topic", name=f"{name}-topic", opts=child)
        aws.sns.TopicSubscription(f"{name}-mail", topic=self.topic.arn, protocol="email",
                                  endpoint=pulumi.Output.secret("orders@example.com"), opts=child)
        self.register_outputs({"queueUrl": self.queue.url})


def shops() -> None:
    orders = Shop("orders")
    Shop("tickets", fifo=True)
    unknown = pulumi.Output(set(), pulumi.Output.from_input("never").future(), pulumi.Output.from_input(False).future())
    aws.sqs.Queue("pending", name=unknown)
    pulumi.export("queueUrl", orders.queue.url)
    pulumi.export("token", pulumi.Output.secret("s3cr3t"))


@pytest.fixture(scope="module")
def view() -> PlatformView:
    return run_program(shops)


# -- plain values ---------------------------------------------------------------------------------------------
def test_inputs_and_outputs_are_plain_values_resolved_through_apply(view):
    queue = view.get("orders-queue")
    assert queue.inputs["visibilityTimeoutSeconds"] == 60
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:orders-dlq", "maxReceiveCount": 5}
    assert queue.outputs["url"] == "https://sqs.us-east-1.amazonaws.com/123456789012/orders-queue"
    assert (queue.type, queue.parent, queue.custom, queue.id) == (QUEUE, "orders", True, queue.outputs["url"])
    assert queue.urn.endswith("shop:index:Shop$aws:sqs/queue:Queue::orders-queue")


def test_secrets_are_secret_objects_in_inputs_and_outputs_and_masked_in_the_inventory(view):
    mail = view.get("orders-mail")
    assert mail.inputs["endpoint"] == Secret("orders@example.com")
    assert mail.outputs["endpoint"] == Secret("orders@example.com")
    assert mail.registration.inputs["endpoint"] == "[secret]"
    assert "orders@example.com" not in json.dumps(view.inventory(), default=str)
    assert view.outputs["token"] == Secret(view.outputs["token"].value) and repr(view.outputs["token"]) == "[secret]"


def test_an_unknown_input_is_unknown_not_none(view):
    pending = view.get("pending")
    assert pending.inputs["name"] is UNKNOWN and pending.outputs["name"] is UNKNOWN
    view.has_resource(QUEUE, {"name": Match.unknown()}, name="pending")


# -- has_resource, find, resource_count_is ---------------------------------------------------------------------
def test_has_resource_matches_partially_and_deeply_and_returns_the_resource(view):
    found = view.has_resource(QUEUE, {"visibilityTimeoutSeconds": 60, "redrivePolicy": Match.serialized_json(
        {"maxReceiveCount": 5})}, parent="orders")
    assert found.name == "orders-queue"
    assert view.has_resource(QUEUE, name="tickets-queue", outputs={"arn": Match.string_like(r"\.fifo$")})


def test_a_failed_has_resource_shows_the_closest_resources_with_the_differing_values_marked(view):
    with pytest.raises(KitAssertionError) as info:
        view.has_resource(QUEUE, {"name": "orders-queue", "visibilityTimeoutSeconds": 30,
                                  "redrivePolicy": Match.serialized_json({"maxReceiveCount": 3})})
    message = str(info.value)
    assert message.startswith(f"stack dev: no {QUEUE} matches ")
    assert "5 were registered; the closest:" in message
    closest = message.split("the closest:\n\n", 1)[1]
    assert closest.startswith("orders-queue (parent orders): 2 of 3 checked values differ\n")
    assert '!!   "visibilityTimeoutSeconds": 60    <- expected 30' in message
    assert '     "name": "orders-queue"' in message                      # matched values are shown unmarked
    assert '     "redrivePolicy": (as JSON) {' in message
    assert '!!     "maxReceiveCount": 5    <- expected 3' in message
    assert "(2 more not shown)" in message


def test_the_resource_with_the_asked_for_name_comes_first_however_its_values_differ(view):
    with pytest.raises(KitAssertionError) as info:
        view.has_resource(QUEUE, {"visibilityTimeoutSeconds": 1, "fifoQueue": True}, name="orders-queue")
    closest = str(info.value).split("the closest:\n\n", 1)[1]
    assert closest.startswith("orders-queue (parent orders): 2 of 3 checked values differ\n")


def test_a_failed_has_resource_on_a_secret_says_how_to_match_it(view):
    with pytest.raises(KitAssertionError, match=re.escape('"endpoint": [secret]    <- expected "orders@example.com", '
                                                          'but the value is a secret (Match.secret(...) looks inside it)')):
        view.has_resource(SUBSCRIPTION, {"endpoint": "orders@example.com"})
    view.has_resource(SUBSCRIPTION, {"endpoint": Match.secret("orders@example.com")}, parent="orders")


def test_resource_count_is_counts_the_matching_resources_and_lists_them_when_it_fails(view):
    assert len(view.resource_count_is(QUEUE, 5)) == 5
    view.resource_count_is(QUEUE, 2, {"fifoQueue": True})
    view.resource_count_is(QUEUE, 2, parent="orders")
    with pytest.raises(KitAssertionError) as info:
        view.resource_count_is(QUEUE, 1, {"fifoQueue": True})
    assert str(info.value).startswith(f'stack dev: expected 1 {QUEUE} matching {{"inputs": {{"fifoQueue": true}}}}, '
                                      "found 2: tickets-dlq, tickets-queue")
    with pytest.raises(KitAssertionError, match="The closest that do not match:") as info:
        view.resource_count_is(QUEUE, 3, {"fifoQueue": True})
    assert '!!   "fifoQueue": <missing>    <- expected true' in str(info.value)


def test_find_returns_every_match_and_never_fails_on_none(view):
    assert sorted(q.name for q in view.find(QUEUE, {"fifoQueue": True})) == ["tickets-dlq", "tickets-queue"]
    assert view.find(QUEUE, {"fifoQueue": False}) == []
    assert sorted(q.name for q in view.find(QUEUE, name=Match.string_like("-dlq$"))) == ["orders-dlq", "tickets-dlq"]
    assert [q.name for q in view.find(QUEUE, parent=None)] == ["pending"]


def test_options_can_be_matched_like_values(view):
    view.resource_count_is(QUEUE, 5, options={"protect": False, "delete_before_replace": None})


# -- names, types and the tree ---------------------------------------------------------------------------------------
def test_get_names_the_closest_logical_names_when_there_is_none(view):
    with pytest.raises(KitAssertionError, match="no resource is named 'orders-queu'; the closest names are: orders-queue"):
        view.get("orders-queu")
    with pytest.raises(KitAssertionError, match="no resource of type aws:sns/topic:Topic is named 'orders-queue'"):
        view.get("orders-queue", TOPIC)


def test_a_type_the_program_never_registers_is_an_error_that_suggests_the_closest_tokens(view):
    for call in (lambda: view.resource_count_is("aws:sqs/queue:Qeueu", 0), lambda: view.find("aws:sqs/queue:Qeueu"),
                 lambda: view.has_resource("aws:sqs/queue:Qeueu", {})):
        with pytest.raises(UnknownTypeError) as info:
            call()
        assert "'aws:sqs/queue:Qeueu' is not a type this program registers" in str(info.value)
        assert "did you mean aws:sqs/queue:Queue" in str(info.value)
    with pytest.raises(UnknownTypeError, match="did you mean shop:index:Shop"):
        view.of_type("shop:index:Shopp")


def test_a_real_type_that_was_not_registered_counts_zero_and_says_so_in_has_resource(view):
    view.resource_count_is("aws:dynamodb/table:Table", 0)
    with pytest.raises(KitAssertionError, match="the program registered none of that type"):
        view.has_resource("aws:dynamodb/table:Table", {"name": "orders"})


def test_the_parent_and_child_tree(view):
    assert sorted(r.name for r in view.children("orders")) == ["orders-dlq", "orders-mail", "orders-queue",
                                                                "orders-topic"]
    assert {r.name for r in view.children(None)} == {"orders", "tickets", "pending"}
    assert [r.name for r in view.descendants("orders", SUBSCRIPTION)] == ["orders-mail"]
    assert view.ancestors("orders-mail") == ["orders"]
    lines = view.tree("orders").splitlines()  # children in registration order, which the engine decides
    assert lines[0] == "orders (shop:index:Shop)" and sorted(lines[1:]) == [
        "  orders-dlq (aws:sqs/queue:Queue)", "  orders-mail (aws:sns/topicSubscription:TopicSubscription)",
        "  orders-queue (aws:sqs/queue:Queue)", "  orders-topic (aws:sns/topic:Topic)"]
    assert len(view.tree().splitlines()) == len(view)


def test_stack_outputs(view):
    assert view.has_output("queueUrl", Match.string_like("/orders-queue$")).endswith("/orders-queue")
    view.has_output("token", Match.secret())
    with pytest.raises(KitAssertionError, match=r"no output 'queueURL'; it exports queueUrl, token \(closest: queueUrl\)"):
        view.has_output("queueURL")
    with pytest.raises(KitAssertionError) as info:
        view.has_output("queueUrl", Match.string_like("tickets"))
    assert "!! " in str(info.value) and "expected a string like /tickets/" in str(info.value)


def test_with_result_views_a_changed_copy_and_reuses_the_unchanged_resources(view):
    result = view.result
    changed = [replace(r, inputs={**r.inputs, "visibilityTimeoutSeconds": 5}) if r.name == "orders-queue" else r
               for r in result.resources]
    copy = view.with_result(replace(result, resources=changed))
    assert copy.get("orders-queue").inputs["visibilityTimeoutSeconds"] == 5
    assert view.get("orders-queue").inputs["visibilityTimeoutSeconds"] == 60
    assert copy.get("orders-dlq") is view.get("orders-dlq")


# -- programs that fail -------------------------------------------------------------------------------------------
def _raises_in_the_body() -> None:
    Shop("orders")
    raise RuntimeError("the shop is closed")


def _raises_in_an_apply() -> None:
    queue = aws.sqs.Queue("first", name="first")
    aws.sqs.Queue("second", name=queue.arn.apply(lambda arn: arn.split(":")[99]))


def _raises_in_a_constructor() -> None:
    class Broken(pulumi.ComponentResource):
        def __init__(self) -> None:
            super().__init__("shop:index:Broken", "broken", None)
            raise ValueError("no capacity")

    Broken()


def _calls_an_unmocked_invoke() -> None:
    aws.ec2.get_vpc(id="vpc-1")


@pytest.mark.parametrize("program, resource, cause", [
    (_raises_in_the_body, "no resource (the program itself raised)", "RuntimeError: the shop is closed"),
    (_raises_in_an_apply, "aws:sqs/queue:Queue 'second'", "IndexError: list index out of range"),
    (_raises_in_a_constructor, "shop:index:Broken 'broken'", "ValueError: no capacity"),
    (_calls_an_unmocked_invoke, "invoke aws:ec2/getVpc:getVpc", "NotImplementedError: the offline preview has no mock "
                                                               "for invoke aws:ec2/getVpc:getVpc"),
])
def test_a_failing_program_is_one_clear_error_with_stack_resource_and_cause(program, resource, cause, capsys):
    with pytest.raises(ProgramError) as info:
        run_program(program, "prod")
    error = info.value
    lines = str(error).splitlines()
    assert lines[:3] == ["stack prod: the program failed under the mocks", f"  while registering: {resource}",
                         f"  cause: {cause}"]
    assert error.stack == "prod" and error.resource == (None if resource.startswith("no resource") else resource)
    assert isinstance(error, type(error.cause)) and error.__suppress_context__ and error.__cause__ is None
    assert "asyncio" not in str(error) and "site-packages" not in str(error)
    assert "never retrieved" not in capsys.readouterr().err


def test_the_error_points_at_the_programs_own_line():
    with pytest.raises(ProgramError) as info:
        run_program(_raises_in_an_apply)
    assert re.search(r"in the program:\n    \S+test_view\.py:\d+ in <lambda>: aws\.sqs\.Queue\(\"second\"", str(info.value))


def test_what_was_registered_before_the_failure_is_kept_and_the_next_run_is_clean():
    with pytest.raises(ProgramError) as info:
        run_program(_raises_in_the_body)
    assert sorted(r.name for r in info.value.registered.children("orders")) == [
        "orders-dlq", "orders-mail", "orders-queue", "orders-topic"]
    assert len(run_program(shops).of_type(QUEUE)) == 5


def test_the_cause_keeps_its_own_attributes():
    class Refused(ValueError):
        def __init__(self, service: str) -> None:
            super().__init__(f"{service} refused")
            self.service = service

    def program() -> None:
        raise Refused("orders")

    with pytest.raises(Refused) as info:
        run_program(program)
    assert info.value.service == "orders" and isinstance(info.value, ProgramError)


# -- sharing ---------------------------------------------------------------------------------------------------------
def _nothing_more(platform) -> None:
    """The platform core and central logging alone: the smallest program of the platform."""


def test_a_shared_run_is_kept_per_arguments_and_an_unshared_one_is_fresh(dev_stack):
    assert run_stack("dev", share=True) is dev_stack
    quiet = run_services(_nothing_more, "dev", overrides={"logLevel": "INFO"}, share=True)
    assert run_services(_nothing_more, "dev", overrides={"logLevel": "INFO"}, share=True) is quiet
    fresh = run_services(_nothing_more, "dev", overrides={"logLevel": "INFO"})
    assert fresh is not quiet and len(fresh) == len(quiet)
    quiet.has_resource("aws:lambda/function:Function", {"environment": {"variables": {"LOG_LEVEL": "INFO"}}})
    dev_stack.has_resource("aws:lambda/function:Function", {"environment": {"variables": {"LOG_LEVEL": "DEBUG"}}})
