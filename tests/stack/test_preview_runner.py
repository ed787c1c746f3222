"""How programs run under the preview: the lighter SDK paths record exactly what the SDK's own paths record.

A stack is run both ways (components/preview/lean_sdk.py) and every registration compared; so are
the cases the recording monitor hands to the SDK's own monitor (unknown inputs), mocks other than
the platform's, and failures, which must not leak into the next run of the process.
"""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.preview import lean_sdk
from components.preview.mocks import PlatformMocks
from components.preview.recorder import RecordingMonitor
from components.preview.runner import PreviewResult, run_program, run_stack
from tests.stack.conftest import stack_result


@pytest.fixture
def sdk_paths(monkeypatch):
    """Runs the program through the SDK's own paths, as with an SDK version the replacements were not checked on."""
    monkeypatch.setattr(lean_sdk, "sdk_supported", lambda version=None: False)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (pulumi.FileArchive, pulumi.FileAsset)):
        return {"path": str(value.path)}
    if isinstance(value, pulumi.output.Unknown):
        return "<unknown>"
    return value


def recorded(result: PreviewResult) -> tuple[Any, ...]:
    """Everything a registration holds, in a form that compares by value, in URN order."""
    registrations = sorted(
        (r.urn, r.type, r.name, r.parent, json.dumps(_plain(r.inputs), sort_keys=True),
         json.dumps(_plain(r.outputs), sort_keys=True), r.custom, r.options,
         sorted((key, sorted(urns)) for key, urns in r.dependencies.items()))
        for r in result.resources)
    return registrations, result.outputs, result.notes


def test_a_stack_records_the_same_through_the_sdks_own_paths(sdk_paths):
    assert recorded(run_stack("prod")) == recorded(stack_result("prod"))


def test_registrations_are_recorded_in_the_same_order_on_every_run():
    """Engine calls run inline, so the order no longer depends on which pool thread answered first."""
    assert [r.urn for r in run_stack("dev").resources] == [r.urn for r in stack_result("dev").resources]


def _unknown_input() -> pulumi.Output[str]:
    value, known = asyncio.Future(), asyncio.Future()
    value.set_result("arn:aws:sns:us-east-1:123456789012:t")
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def _unknowns_and_secrets() -> None:
    topic = aws.sns.Topic("topic", name="t", kms_master_key_id=pulumi.Output.secret("alias/k"))
    aws.sns.TopicPolicy("policy", arn=topic.arn, policy=topic.name.apply(lambda name: json.dumps({"n": name})))
    aws.sns.TopicPolicy("unknown", arn=_unknown_input(), policy="{}")


class EchoMocks(pulumi.runtime.Mocks):
    """Mocks other than the platform's: the recording monitor serialises whatever they answer."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", {**args.inputs, "echoed": [args.name, 1, {"nested": None}], "gone": None}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


@pytest.mark.parametrize("mocks", [lambda: PlatformMocks("us-east-1"), EchoMocks], ids=["platform", "other"])
def test_unknown_inputs_secrets_and_other_mocks_record_the_same_both_ways(mocks, monkeypatch):
    lean = run_program("dev", _unknowns_and_secrets, {"aws:region": "us-east-1"}, monitor=RecordingMonitor(mocks()))
    monkeypatch.setattr(lean_sdk, "sdk_supported", lambda version=None: False)
    stock = run_program("dev", _unknowns_and_secrets, {"aws:region": "us-east-1"}, monitor=RecordingMonitor(mocks()))
    assert recorded(lean) == recorded(stock)
    unknown = lean.named("unknown")
    assert isinstance(unknown.inputs["arn"], pulumi.output.Unknown)
    assert lean.named("topic").inputs["kmsMasterKeyId"] == "[secret]"


class RefusingMocks(PlatformMocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.typ == "aws:sns/topic:Topic":
            raise RuntimeError(f"the provider refused {args.name}")
        return super().new_resource(args)


def _refused() -> None:
    topic = aws.sns.Topic("refused", name="t")
    aws.sns.TopicPolicy("after", arn=topic.arn, policy="{}")


@pytest.mark.parametrize("paths", ["lean", "sdk"])
def test_a_refused_registration_fails_the_run_both_ways(paths, monkeypatch):
    if paths == "sdk":
        monkeypatch.setattr(lean_sdk, "sdk_supported", lambda version=None: False)
    monitor = RecordingMonitor(RefusingMocks("us-east-1"))
    with pytest.raises(Exception, match="the provider refused refused"):
        run_program("dev", _refused, {"aws:region": "us-east-1"}, monitor=monitor)
    assert [r.name for r in monitor.registrations] == []


def test_a_run_after_a_failed_one_reports_only_its_own_outcome():
    """The SDK keeps a run's failed outputs to re-raise at its end; a later run must not inherit them."""
    with pytest.raises(Exception, match="the provider refused refused"):
        run_program("dev", _refused, {"aws:region": "us-east-1"}, monitor=RecordingMonitor(RefusingMocks("us-east-1")))
    result = run_program("dev", lambda: aws.sns.Topic("fine", name="t"), {"aws:region": "us-east-1"})
    assert [r.name for r in result.resources] == ["fine"]


def test_a_resource_passed_whole_as_an_input_is_recorded():
    """The SDK's own monitor, on a worker thread, fails on resource references ("attached to a different loop")."""
    def program() -> None:
        topic = aws.sns.Topic("whole", name="t")
        aws.sns.TopicPolicy("by-reference", arn=topic, policy="{}")

    result = run_program("dev", program, {"aws:region": "us-east-1"})
    reference = result.named("by-reference").inputs["arn"]
    assert isinstance(reference, aws.sns.Topic)


def test_a_run_needs_no_current_event_loop_in_the_thread():
    """`asyncio.run`, in an earlier test say, leaves the thread without one; the SDK would fail to start."""
    asyncio.run(asyncio.sleep(0))
    result = run_program("dev", lambda: aws.sns.Topic("after-asyncio-run", name="t"), {"aws:region": "us-east-1"})
    assert [r.name for r in result.resources] == ["after-asyncio-run"]


def test_runs_with_invokes_leave_no_threads_behind():
    """Invokes go to the SDK's monitor on a worker thread; one thread serves every run of the process."""
    def program() -> None:
        aws.get_caller_identity()
        aws.sns.Topic("after-invoke", name="t")

    run_program("dev", program, {"aws:region": "us-east-1"})
    threads = threading.active_count()
    for _ in range(3):
        run_program("dev", program, {"aws:region": "us-east-1"})
    assert threading.active_count() == threads
