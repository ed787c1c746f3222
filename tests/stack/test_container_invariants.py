"""The container invariants catch what they claim to: each is shown a stack that breaks it."""
from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from components.testing import Match, PlatformView
from tests.stack import invariants
from tests.stack.conftest import stack_settings, stack_view


def broken(stack: str, type_token: str, change) -> PlatformView:
    """The stack with `change` made to (a copy of) the inputs of every resource of the type."""
    view = stack_view(stack)

    def edited(registration):
        inputs = copy.deepcopy(registration.inputs)
        change(inputs)
        return replace(registration, inputs=inputs)

    return view.with_result(replace(view.result, resources=[edited(r) if r.type == type_token else r
                                                            for r in view.result.resources]))


def _without_sidecar(inputs):
    inputs["containerDefinitions"] = json.dumps(json.loads(inputs["containerDefinitions"])[:1])


def _world_to_tasks(inputs):
    if inputs.get("referencedSecurityGroupId"):
        inputs.pop("referencedSecurityGroupId")
        inputs["cidrIpv4"] = "0.0.0.0/0"


CASES = [
    (invariants.containers_ship_logs_and_traces, invariants.TASK_DEFINITION, _without_sidecar, "no tracing sidecar"),
    (invariants.load_balancers_log_and_prod_protects_them, invariants.LOAD_BALANCER,
     lambda i: i.update(accessLogs={"enabled": False}), "access logs"),
    (invariants.load_balancers_log_and_prod_protects_them, invariants.LOAD_BALANCER,
     lambda i: i.update(enableDeletionProtection=False), "deletion protection"),
    (invariants.tasks_run_in_private_subnets, invariants.ECS_SERVICE,
     lambda i: i["networkConfiguration"].update(assignPublicIp=True), "public IPs"),
    (invariants.only_the_load_balancer_reaches_tasks, invariants.INGRESS, _world_to_tasks,
     "other than the load balancer"),
    (invariants.only_the_load_balancer_reaches_tasks, invariants.INGRESS, lambda i: i.update(fromPort=22, toPort=22),
     "beyond a listener port"),
]


@pytest.mark.parametrize("check,type_token,change,expected", CASES)
def test_each_container_invariant_reports_a_stack_that_breaks_it(check, type_token, change, expected):
    assert check(stack_view("prod"), stack_settings("prod")) == []
    problems = check(broken("prod", type_token, change), stack_settings("prod"))
    assert problems and all(expected in p for p in problems[:1]), problems


def test_public_subnets_are_refused_for_tasks():
    view = stack_view("dev")
    public = [s.outputs["arn"].rsplit("/", 1)[1] for s in view.of_type(invariants.SUBNET) if "-public-" in s.name]
    moved = broken("dev", invariants.ECS_SERVICE, lambda i: i["networkConfiguration"].update(subnets=public))
    assert invariants.tasks_run_in_private_subnets(moved, stack_settings("dev"))


def test_prod_spans_three_zones_with_a_nat_gateway_each_and_dev_two_with_one():
    for stack, zones, nats in (("dev", 2, 1), ("prod", 3, 3)):
        view = stack_view(stack)
        private = view.find(invariants.SUBNET, name=Match.string_like("-private-"))
        assert len({s.inputs["availabilityZone"] for s in private}) == zones
        view.resource_count_is("aws:ec2/natGateway:NatGateway", nats)
