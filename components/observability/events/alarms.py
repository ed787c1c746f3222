"""Default alarms for an EventBridge rule (AWS/Events, dimension RuleName [+ EventBusName]):
FailedInvocations (Sum) against ``eventbridge_failed_invocations``."""

from __future__ import annotations

from components.observability._factory import ONE_DATAPOINT, fmt, metric, severity_alarms
from components.observability.model import AlarmSpec
from components.observability.refs import RuleRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Events"


def rule_dimensions(rule: RuleRef) -> dict[str, str]:
    """Rules on the default bus have only RuleName; custom buses add EventBusName."""
    if rule.event_bus_name and rule.event_bus_name != "default":
        return {"EventBusName": rule.event_bus_name, "RuleName": rule.rule_name}
    return {"RuleName": rule.rule_name}


def rule_alarms(rule: RuleRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """One failed delivery already alarms (not the profile's window): without a DLQ the event is gone."""
    return severity_alarms(
        t.eventbridge_failed_invocations,
        ("events", rule.key_part, "failed"),
        window=ONE_DATAPOINT,
        summary=lambda value: f"{rule.rule_name}: >= {fmt(value)} failed target invocations",
        meaning=lambda _: (
            f"EventBridge could not invoke a target of rule {rule.rule_name} after retries; without a "
            "target DLQ those events are gone (for a schedule, that run did not happen)."
        ),
        check_first="the target's resource policy or role (lambda:InvokeFunction, sqs:SendMessage) and the "
        "rule's target DLQ, then recent changes to the target.",
        metric=metric(NAMESPACE, "FailedInvocations", rule_dimensions(rule), "Sum", t.period_seconds),
    )
