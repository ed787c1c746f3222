"""Replacement and protection per resource type: recorded by the preview, applied by the transformation."""
from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import lifecycle
from components.preview.runner import run_program
from policy.platform_policy.lifecycles import LIFECYCLES, Lifecycle
from tests.stack.conftest import stack_result


def _args(type_: str, **options: Any) -> pulumi.ResourceTransformationArgs:
    return pulumi.ResourceTransformationArgs(resource=None, type_=type_, name="x", props={},  # type: ignore[arg-type]
                                             opts=pulumi.ResourceOptions(**options))


@given(type_=st.sampled_from(sorted(LIFECYCLES)), protect_data=st.booleans())
def test_the_transformation_applies_the_types_rule(type_: str, protect_data: bool) -> None:
    result = lifecycle.transformation(protect_data)(_args(type_))
    kind = LIFECYCLES[type_]
    options = result.opts if result is not None else pulumi.ResourceOptions()
    assert options.delete_before_replace == {Lifecycle.STATEFUL: False, Lifecycle.NAMED: True,
                                             Lifecycle.KEYED: True}.get(kind)
    assert bool(options.protect) == (kind is Lifecycle.STATEFUL and protect_data)


@given(type_=st.sampled_from(sorted(LIFECYCLES)), protect=st.booleans(), delete_first=st.booleans())
def test_an_explicit_choice_is_left_alone(type_: str, protect: bool, delete_first: bool) -> None:
    result = lifecycle.transformation(True)(_args(type_, protect=protect, delete_before_replace=delete_first))
    options = result.opts if result is not None else pulumi.ResourceOptions(protect=protect,
                                                                             delete_before_replace=delete_first)
    assert (options.protect, options.delete_before_replace) == (protect, delete_first)


def test_components_are_not_touched_and_an_unclassified_type_is_refused_by_name() -> None:
    assert lifecycle.transformation(True)(_args("platform:services:HttpService")) is None
    with pytest.raises(lifecycle.UnclassifiedResourceType, match="aws:ec2/instance:Instance.*lifecycles.py"):
        lifecycle.transformation(True)(_args("aws:ec2/instance:Instance"))


def test_the_preview_records_what_the_transformation_decided() -> None:
    def program() -> None:
        lifecycle.register(protect_data=True)
        aws.sqs.Queue("data", name="q")
        aws.sqs.Queue("kept-unprotected", name="q2", opts=pulumi.ResourceOptions(protect=False))
        aws.cloudwatch.MetricAlarm("alarm", name="a", comparison_operator="GreaterThanThreshold",
                                   evaluation_periods=1)
        aws.apigateway.Method("method", rest_api="r", resource_id="x", http_method="GET", authorization="NONE")

    options = {r.name: r.options for r in run_program("dev", program, {"aws:region": "us-east-1"}).resources}
    assert (options["data"].protect, options["data"].delete_before_replace) == (True, False)
    assert (options["kept-unprotected"].protect, options["kept-unprotected"].delete_before_replace) == (False, False)
    assert options["alarm"].delete_before_replace is True and not options["alarm"].protect
    assert options["method"].delete_before_replace is None


@pytest.mark.parametrize("stack,protected", [("dev", False), ("prod", True)])
def test_stateful_resources_are_protected_exactly_in_the_stack_that_protects_data(stack: str,
                                                                                   protected: bool) -> None:
    stateful = [r for r in stack_result(stack).resources if LIFECYCLES.get(r.type) is Lifecycle.STATEFUL]
    assert {r.type for r in stateful} >= {"aws:dynamodb/table:Table", "aws:kms/key:Key", "aws:s3/bucket:Bucket",
                                          "aws:opensearch/domain:Domain", "aws:sqs/queue:Queue"}
    assert {r.options.protect for r in stateful} == {protected}
    assert {r.options.delete_before_replace for r in stateful} == {False}
    buckets = stack_result(stack).of_type("aws:s3/bucket:Bucket")
    assert {b.inputs["forceDestroy"] for b in buckets} == {not protected}
