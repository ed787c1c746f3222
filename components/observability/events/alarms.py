"""Default alarms for an EventBridge rule (AWS/Events, dimension RuleName [+ EventBusName]):

- FailedInvocations (Sum) against ``eventbridge_failed_invocations``;
- ThrottledRules (Sum) >= 1, warning: invocations delayed by the target's or account's limits;
- InvocationsFailedToBeSentToDlq (Sum) >= 1, critical: events that failed and could not even be
  kept in the target's dead-letter queue are lost.
"""

from __future__ import annotations

from components.observability._factory import ONE_DATAPOINT, alarm_spec, fmt, metric, severity_alarms
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
    """Failures, throttles, and events lost on the way to the dead-letter queue."""
    return [*failed_invocation_alarms(rule, t), throttled_alarm(rule, t), dlq_failure_alarm(rule, t)]


def throttled_alarm(rule: RuleRef, t: AlarmThresholds) -> AlarmSpec:
    return alarm_spec(
        ("events", rule.key_part, "throttled"), Severity.WARNING,
        summary=f"{rule.rule_name}: target invocations throttled",
        meaning=f"EventBridge delayed invocations of rule {rule.rule_name}'s targets because a target or the "
        "account hit its invocation limit; events are retried until their maximum age.",
        check_first="the target's throttles (Lambda concurrency, Step Functions StartExecution quota), then the "
        "rate of matching events on this rule's dashboard.",
        threshold=1.0, window=ONE_DATAPOINT,
        metric=metric(NAMESPACE, "ThrottledRules", rule_dimensions(rule), "Sum", t.period_seconds))


def dlq_failure_alarm(rule: RuleRef, t: AlarmThresholds) -> AlarmSpec:
    return alarm_spec(
        ("events", rule.key_part, "dlq-failed"), Severity.CRITICAL,
        summary=f"{rule.rule_name}: failed events could not be sent to the dead-letter queue",
        meaning=f"Events of rule {rule.rule_name} failed their target and EventBridge could not write them to the "
        "target's dead-letter queue either: they are lost.",
        check_first="the dead-letter queue's policy (events.amazonaws.com with this rule's ARN) and its KMS key "
        "policy, then whether the queue still exists.",
        threshold=1.0, window=ONE_DATAPOINT,
        metric=metric(NAMESPACE, "InvocationsFailedToBeSentToDlq", rule_dimensions(rule), "Sum", t.period_seconds))


def failed_invocation_alarms(rule: RuleRef, t: AlarmThresholds) -> list[AlarmSpec]:
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
