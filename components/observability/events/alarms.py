"""Default alarms for an EventBridge rule (AWS/Events, dimension RuleName [+ EventBusName]):
FailedInvocations (Sum) against ``eventbridge_failed_invocations``."""

from __future__ import annotations

from components.observability._factory import GTE, NOT_BREACHING, alarm_key, fmt, metric, per_severity
from components.observability.descriptions import alarm_description
from components.observability.model import AlarmSpec, Severity
from components.observability.refs import RuleRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/Events"


def rule_dimensions(rule: RuleRef) -> dict[str, str]:
    """Rules on the default bus have only RuleName; custom buses add EventBusName."""
    if rule.event_bus_name and rule.event_bus_name != "default":
        return {"EventBusName": rule.event_bus_name, "RuleName": rule.rule_name}
    return {"RuleName": rule.rule_name}


def rule_alarms(rule: RuleRef, t: AlarmThresholds) -> list[AlarmSpec]:
    stat = metric(NAMESPACE, "FailedInvocations", rule_dimensions(rule), "Sum", t.period_seconds)

    def build(severity: Severity, value: float) -> AlarmSpec:
        return AlarmSpec(
            key=alarm_key("events", rule.key_part, "failed", severity.value),
            severity=severity,
            summary=f"{rule.rule_name}: >= {fmt(value)} failed target invocations",
            description=alarm_description(
                f"EventBridge could not invoke a target of rule {rule.rule_name} after retries; without a "
                "target DLQ those events are gone (for a schedule, that run did not happen).",
                "the target's resource policy or role (lambda:InvokeFunction, sqs:SendMessage) and the "
                "rule's target DLQ, then recent changes to the target.",
            ),
            comparison=GTE,
            threshold=value,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data=NOT_BREACHING,
            metric=stat,
        )

    return per_severity(t.eventbridge_failed_invocations, build)
