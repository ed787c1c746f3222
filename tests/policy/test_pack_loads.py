"""The pack as Pulumi loads it: `policy/__main__.py` builds a valid PolicyPack, and the analyzer it would
serve (pulumi-policy's own servicer, without the gRPC server) judges the recorded stacks."""
from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path
from typing import Any, Iterator

import pulumi_policy
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy.policy import _PolicyAnalyzerServicer

from components.preview.recorder import mask_secrets
from components.preview.runner import REPO_ROOT
from policy.platform_policy.exceptions import DEV_EXCEPTIONS
from policy.platform_policy.rules import AREAS
from tests.stack.conftest import stack_result

PACK_DIR = REPO_ROOT / "policy"


@pytest.fixture(scope="module")
def pack_kwargs() -> Iterator[dict[str, Any]]:
    """What `policy/__main__.py` passes to PolicyPack, loaded the way Pulumi runs it (pack dir first on the
    path, the rules as top-level `platform_policy`); PolicyPack itself would start a server and block."""
    captured: dict[str, Any] = {}
    original, saved_path = pulumi_policy.PolicyPack, list(sys.path)
    pulumi_policy.PolicyPack = lambda **kwargs: captured.update(kwargs)  # type: ignore[assignment]
    sys.path.insert(0, str(PACK_DIR))
    try:
        runpy.run_path(str(PACK_DIR / "__main__.py"), run_name="__main__")
    finally:
        pulumi_policy.PolicyPack = original  # type: ignore[misc]
        sys.path[:] = saved_path
    yield captured


@pytest.fixture(scope="module")
def analyzer(pack_kwargs: dict[str, Any]) -> _PolicyAnalyzerServicer:
    kwargs = dict(pack_kwargs)
    return _PolicyAnalyzerServicer(kwargs.pop("name"), "1.0.0", kwargs.pop("policies"), kwargs.pop("enforcement_level"),
                                   **kwargs)


def request_for(stack: str, drop: str | None = None) -> Any:
    """The AnalyzeStack request the engine would send for a recorded stack (less one resource)."""
    result = stack_result(stack)
    urns = {r.name: r.urn for r in result.resources if not r.custom}
    resources = []
    for r in result.resources:
        if r.name == drop:
            continue
        properties = struct_pb2.Struct()
        properties.update(json.loads(json.dumps(mask_secrets(r.outputs), default=str)))
        options = proto.AnalyzerResourceOptions(
            protect=r.options.protect, deleteBeforeReplace=bool(r.options.delete_before_replace),
            deleteBeforeReplaceDefined=r.options.delete_before_replace is not None)
        resources.append(proto.AnalyzerResource(
            type=r.type, name=r.name, urn=r.urn, properties=properties, options=options,
            parent=urns.get(r.parent or "", ""),
            propertyDependencies={key: proto.AnalyzerPropertyDependencies(urns=list(value))
                                  for key, value in r.dependencies.items()}))
    return proto.AnalyzeStackRequest(resources=resources)


def configure(analyzer: _PolicyAnalyzerServicer, path: Path) -> None:
    levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY}
    config = json.loads(path.read_text())
    analyzer.Configure(proto.ConfigureAnalyzerRequest(policyConfig={
        area.id: proto.PolicyConfig(enforcementLevel=levels[config["all"]]) for area in AREAS}), None)


def test_the_pack_runs_one_policy_per_area_naming_every_rule_and_control(analyzer: _PolicyAnalyzerServicer) -> None:
    info = analyzer.GetAnalyzerInfo(None, None)
    assert info.name == "platform-security-observability"
    policies = {p.name: p for p in info.policies}
    assert list(policies) == [area.id for area in AREAS]
    for area in AREAS:
        policy = policies[area.id]
        assert policy.enforcementLevel == proto.MANDATORY
        assert policy.policy_type == proto.PolicyType.POLICY_TYPE_STACK
        assert {f"rule:{rule.id}" for rule in area.rules} <= set(policy.tags)
        for rule in area.rules:
            assert f"{rule.id}: {rule.fix}" in policy.remediation_steps
            for control in rule.fsbp:
                assert control in policy.framework.reference.split(", ")
                assert policy.framework.name == "aws-foundational-security-best-practices"


def test_dev_is_advisory_and_its_exceptions_are_not_applied(analyzer: _PolicyAnalyzerServicer) -> None:
    configure(analyzer, PACK_DIR / "config" / "dev.json")
    response = analyzer.AnalyzeStack(request_for("dev"), None)
    assert [d.message for d in response.diagnostics] == []
    # The auditing area is excused as a whole in dev, so it says why; the other exceptions are single rules.
    assert [n.policy_name for n in response.not_applicable] == ["auditing"]
    for rule in ("cloudtrail-trail", "config-api-stage-rule", "s3-object-logging"):
        assert f"{rule}: {DEV_EXCEPTIONS[rule]}" in response.not_applicable[0].reason


def test_prod_passes_all_but_the_one_broken_resource_which_blocks(analyzer: _PolicyAnalyzerServicer) -> None:
    """The whole prod stack through CrossGuard's own deserialization, less the orders stage's WAF association."""
    configure(analyzer, PACK_DIR / "config" / "prod.json")
    response = analyzer.AnalyzeStack(request_for("prod", drop="orders-stage-waf"), None)
    stage = next(r for r in stack_result("prod").resources if r.name == "orders-stage")
    assert [(d.policyName, d.urn, d.enforcementLevel) for d in response.diagnostics] == [
        ("api-gateway", stage.urn, proto.MANDATORY)]
    message = response.diagnostics[0].message
    for part in ("orders-stage", "rule apigateway-waf", "APIGateway.4", "Why: ", "Fix: "):
        assert part in message
    assert list(response.not_applicable) == []
