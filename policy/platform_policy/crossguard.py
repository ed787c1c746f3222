"""The rules as a Pulumi CrossGuard policy pack.

Rules link resources (a stage to its web ACL, a log group to its subscription filter), so they run as
stack validation policies. CrossGuard deserializes every resource of the stack again for each stack
policy (about 0.2 s per policy for the café's 600 resources), so the pack registers one policy per
area (`rules.AREAS`), not per rule: 8 passes over the stack instead of 46. Each violation still names
its rule and FSBP controls: it is reported against the resource's URN with `Rule.message` (the
resource, the rule, why it matters and how to fix it).

The pack is mandatory by default; `policy/config/dev.json` makes every policy advisory. A rule with a
dev exception is skipped in a stack tagged `platform:environment: dev`, and an area whose every rule
is excused reports itself not applicable, with the reasons.
"""
from __future__ import annotations

from typing import Any, Mapping

from pulumi_policy import (EnforcementLevel, PolicyComplianceFramework, PolicyResource, ReportViolation, Severity,
                           StackValidationArgs, StackValidationPolicy)
from pulumi_policy.proxy import _is_unknown

from .exceptions import excused
from .model import UNKNOWN, Options, Resource, Stack
from .rules import AREAS, Area

PACK_NAME = "platform-security-observability"
FSBP = "aws-foundational-security-best-practices"
_SEVERITIES = {"low": Severity.LOW, "medium": Severity.MEDIUM, "high": Severity.HIGH, "critical": Severity.CRITICAL}


def plain(value: Any) -> Any:
    """CrossGuard's proxies unwrapped into dicts and lists, with unknown values as `UNKNOWN`.

    The proxies raise on reading an unknown value, which would abort a stack policy for every
    resource; a rule instead decides per value (unknown counts as compliant until `pulumi up`).
    """
    if _is_unknown(value):
        return UNKNOWN
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        value = value["__target"]
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def resource_of(policy_resource: PolicyResource) -> Resource:
    options = policy_resource.opts
    return Resource(
        type=policy_resource.resource_type, name=policy_resource.name, props=plain(policy_resource.props),
        parent=policy_resource.parent.name if policy_resource.parent is not None else None,
        urn=policy_resource.urn,
        options=Options(protect=bool(options.protect), delete_before_replace=options.delete_before_replace),
        dependencies={key: tuple(d.urn for d in deps)
                      for key, deps in (policy_resource.property_dependencies or {}).items() if deps})


def stack_of(args: StackValidationArgs) -> Stack:
    return Stack([resource_of(r) for r in args.resources])


def policy_of(area: Area) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        stack = stack_of(args)
        reasons = {rule.id: excused(rule.id, stack.environment) for rule in area.rules}
        if all(reasons.values()):
            args.not_applicable("dev exceptions: " + "; ".join(f"{rule}: {why}" for rule, why in reasons.items()))
        for rule in area.rules:
            if reasons[rule.id]:
                continue
            for finding in rule.findings(stack):
                report_violation(rule.message(finding), finding.resource.urn if finding.resource is not None else None)

    controls = [control for rule in area.rules for control in rule.fsbp]
    framework = PolicyComplianceFramework(name=FSBP, version="1.0.0", reference=", ".join(dict.fromkeys(controls))) \
        if controls else None
    tags = [*(f"rule:{rule.id}" for rule in area.rules), *dict.fromkeys(f"fsbp:{c}" for c in controls),
            *(f"awsguard:{name}" for rule in area.rules for name in rule.awsguard)]
    severity = max((_SEVERITIES[rule.severity] for rule in area.rules), key=list(Severity).index)
    return StackValidationPolicy(
        name=area.id, description=area.title, validate=validate, severity=severity, framework=framework, tags=tags,
        remediation_steps="\n".join(f"{rule.id}: {rule.fix}" for rule in area.rules))


def pack_arguments() -> dict[str, Any]:
    """What `PolicyPack(...)` is built from; `policy/__main__.py` passes it on, the tests inspect it."""
    return {"name": PACK_NAME, "policies": [policy_of(area) for area in AREAS],
            "enforcement_level": EnforcementLevel.MANDATORY, "provider": "aws",
            "description": "Security and observability rules of the platform: encryption, TLS, least privilege, "
                           "alarms, shipped logs, dashboards, protected data and auditing."}
