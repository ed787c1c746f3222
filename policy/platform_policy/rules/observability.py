"""Observability completeness: nothing reaches production unobserved.

Every function, queue, topic, table, stream, workflow and API has its default alarms with actions;
every log group is retained and shipped (except the two that must not be); every service, and each
of its observed resources, is on a dashboard. The exceptions are derived from the stack itself
(which topics deliver alarms, which function ships, which log groups the domain writes), not from
names, so a renamed resource cannot slip through one.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator

from ..model import Finding, Resource, Rule, Stack, is_unknown, listed
from .common import each
from .resource_types import (ALARM, DASHBOARD, DOMAIN, FIREHOSE, FUNCTION, LOG_GROUP, MAPPING, QUEUE, STAGE,
                             STATE_MACHINE, STREAM, SUBSCRIPTION_FILTER, TABLE, TOPIC)

#: OpenSearch log types that FSBP asks for: error (application) logs and audit logs.
REQUIRED_DOMAIN_LOGS = ("ES_APPLICATION_LOGS", "AUDIT_LOGS")

Metric = tuple[str, str, str, str]   # namespace, metric name, dimension name, dimension value


def _metrics(alarm: Resource) -> Iterator[Metric]:
    stats = [alarm.props] if alarm.get("metricName") else \
        [q.get("metric") for q in alarm.get("metricQueries") or [] if isinstance(q, dict) and q.get("metric")]
    for stat in stats:
        for key, value in (stat.get("dimensions") or {}).items():
            yield stat.get("namespace"), stat.get("metricName"), key, value


def alarmed(stack: Stack) -> set[Metric]:
    """Metrics watched by an alarm that has actions and may fire them."""
    found: set[Metric] = set()
    for alarm in stack.of_type(ALARM):
        if alarm.get("actionsEnabled") is False or not alarm.get("alarmActions"):
            continue
        found |= set(_metrics(alarm))
    return found


def alarm_topic_arns(stack: Stack) -> set[str]:
    """Topics that deliver alarms: an alarm on their own failures could notify only through themselves."""
    return {arn for alarm in stack.of_type(ALARM, "aws:cloudwatch/compositeAlarm:CompositeAlarm")
            for arn in listed(alarm.get("alarmActions")) if isinstance(arn, str)}


def _stage_api_name(stack: Stack, stage: Resource) -> Any:
    apis = stack.sources(stage, "restApi")
    return apis[0].get("name") if apis else None


def _required(stack: Stack) -> Iterator[tuple[Resource, str, list[tuple[str, tuple[str, ...], str, Any]]]]:
    """(resource, what, [(namespace, metric names (any of), dimension, value)]) for each observed resource."""
    consumed = {m.get("eventSourceArn") for m in stack.of_type(MAPPING)}
    delivering = alarm_topic_arns(stack)
    for fn in stack.of_type(FUNCTION):
        name = fn.get("name")
        yield fn, "errors, throttles and duration", [("AWS/Lambda", (metric,), "FunctionName", name)
                                                     for metric in ("Errors", "Throttles", "Duration")]
    for queue in stack.of_type(QUEUE):
        metric = "ApproximateAgeOfOldestMessage" if queue.get("arn") in consumed else \
            "ApproximateNumberOfMessagesVisible"
        yield queue, metric, [("AWS/SQS", (metric,), "QueueName", queue.get("name"))]
    for topic in stack.of_type(TOPIC):
        if topic.get("arn") not in delivering:
            yield topic, "failed notifications", [("AWS/SNS", ("NumberOfNotificationsFailed",), "TopicName",
                                                   topic.get("name"))]
    for table in stack.of_type(TABLE):
        yield table, "throttles and system errors", [
            ("AWS/DynamoDB", ("ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests"), "TableName",
             table.get("name")),
            ("AWS/DynamoDB", ("SystemErrors",), "TableName", table.get("name"))]
    for stream in stack.of_type(STREAM):
        yield stream, "iterator age", [("AWS/Kinesis", ("GetRecords.IteratorAgeMilliseconds",), "StreamName",
                                        stream.get("name"))]
    for delivery in stack.of_type(FIREHOSE):
        yield delivery, "delivery freshness", [("AWS/Firehose", ("DeliveryToS3.DataFreshness",), "DeliveryStreamName",
                                                delivery.get("name"))]
    for machine in stack.of_type(STATE_MACHINE):
        yield machine, "failed executions", [("AWS/States", ("ExecutionsFailed",), "StateMachineArn",
                                              machine.get("arn"))]
    for stage in stack.of_type(STAGE):
        yield stage, "5XX errors", [("AWS/ApiGateway", ("5XXError",), "ApiName", _stage_api_name(stack, stage))]
    for domain in stack.of_type(DOMAIN):
        yield domain, "cluster status red", [("AWS/ES", ("ClusterStatus.red",), "DomainName",
                                              domain.get("domainName"))]


def _default_alarms(stack: Stack) -> Iterable[Finding]:
    watched = alarmed(stack)
    for resource, what, needs in _required(stack):
        missing = [metrics for namespace, metrics, dimension, value in needs
                   if not is_unknown(value) and value is not None
                   and not any((namespace, m, dimension, value) in watched for m in metrics)]
        if missing:
            names = " and ".join("/".join(m) for m in missing)
            yield Finding(resource, f"no alarm with actions on {names} (default set: {what})")


def not_shipped(stack: Stack) -> dict[str, str]:
    """Log groups that must not ship, and why: the shipper's own (it would ship itself in a loop) and
    the ones the OpenSearch domain writes (they must not depend on the domain being healthy)."""
    destinations = {f.get("destinationArn") for f in stack.of_type(SUBSCRIPTION_FILTER)}
    functions = {f.get("arn"): f for f in stack.of_type(FUNCTION)}
    shippers = [functions[d] for d in destinations if d in functions]
    shippers += [functions.get(m.get("functionArn")) or next(
        (f for f in functions.values() if f.get("name") == m.get("functionName")), None)
        for m in stack.of_type(MAPPING) if m.get("eventSourceArn") in destinations]
    found = {f.get("loggingConfig", "logGroup"): "the log shipper's own logs would ship themselves in a loop"
             for f in shippers if f is not None}
    for domain in stack.of_type(DOMAIN):
        for option in domain.get("logPublishingOptions") or []:
            arn = option.get("cloudwatchLogGroupArn") if isinstance(option, dict) else None
            if isinstance(arn, str):
                found[arn.split("log-group:", 1)[-1].removesuffix(":*")] = \
                    "the domain's own logs must not depend on the domain being healthy"
    return found


def _logs_retained_and_shipped(stack: Stack) -> Iterable[Finding]:
    shipped: dict[Any, int] = {}
    for subscription in stack.of_type(SUBSCRIPTION_FILTER):
        shipped[subscription.get("logGroup")] = shipped.get(subscription.get("logGroup"), 0) + 1
    excluded = not_shipped(stack)
    for group in stack.of_type(LOG_GROUP):
        name = group.get("name")
        if not group.get("retentionInDays") and not is_unknown(group.get("retentionInDays")):
            yield Finding(group, "keeps logs forever (no retention)")
        if is_unknown(name):
            continue
        if name in excluded:
            if shipped.get(name):
                yield Finding(group, f"is shipped, but must not be: {excluded[name]}")
        elif shipped.get(name, 0) != 1:
            yield Finding(group, f"has {shipped.get(name, 0)} shipping subscriptions, not exactly 1")


def _domain_logs(stack: Stack) -> Iterable[Finding]:
    def problem(domain: Resource) -> str | None:
        options = domain.get("logPublishingOptions")
        if is_unknown(options):
            return None
        enabled = {o.get("logType") for o in options or [] if isinstance(o, dict) and o.get("enabled") is not False}
        missing = [t for t in REQUIRED_DOMAIN_LOGS if t not in enabled]
        return f"does not publish {', '.join(missing)} to CloudWatch Logs" if missing else None
    return each(stack.of_type(DOMAIN), problem)


def _observed_names(stack: Stack) -> Iterator[tuple[Resource, Any]]:
    delivering = alarm_topic_arns(stack)
    for type_ in (FUNCTION, QUEUE, TABLE, STREAM, FIREHOSE, STATE_MACHINE):
        for resource in stack.of_type(type_):
            yield resource, resource.get("name")
    for topic in stack.of_type(TOPIC):
        if topic.get("arn") not in delivering:
            yield topic, topic.get("name")
    for stage in stack.of_type(STAGE):
        yield stage, _stage_api_name(stack, stage)


def _on_dashboards(stack: Stack) -> Iterable[Finding]:
    bodies = [d.get("dashboardBody") for d in stack.of_type(DASHBOARD)]
    if any(is_unknown(b) for b in bodies):
        return
    text = "\n".join(b for b in bodies if isinstance(b, str))
    headings = _headings(_markdown(bodies))
    services: dict[str, Resource] = {}
    for resource, name in _observed_names(stack):
        service = resource.tags.get("platform:service")
        if isinstance(service, str):
            services.setdefault(service, resource)
        if isinstance(name, str) and json.dumps(name)[1:-1] not in text:
            yield Finding(resource, f"{name} is on no dashboard")
    for service, example in sorted(services.items()):
        if service not in headings:
            yield Finding(example, f"service {service} has no section on any dashboard")


def _headings(markdown: Iterable[str]) -> set[str]:
    """Markdown headings as service names would be written: "## Log shipping" -> "log-shipping", and the
    first word alone ("## OpenSearch platform-dev-logs" -> "opensearch")."""
    found: set[str] = set()
    for text in markdown:
        for heading in re.findall(r"^#+ +(.+)$", text, flags=re.MULTILINE):
            words = heading.strip().lower().split()
            found |= {"-".join(words[:n]) for n in range(1, len(words) + 1)}
    return found


def _markdown(bodies: list[Any]) -> Iterator[str]:
    for body in bodies:
        try:
            widgets = json.loads(body).get("widgets", []) if isinstance(body, str) else []
        except ValueError:
            continue
        for widget in widgets:
            if isinstance(widget, dict) and widget.get("type") == "text":
                yield str((widget.get("properties") or {}).get("markdown", ""))


RULES = (
    Rule("default-alarms", "Every function, queue, topic, table, stream, workflow and API has its default alarms, "
         "with actions",
         why="a resource without alarms fails silently; an alarm without actions tells nobody",
         fix="create the resource through a service kind of components/services, which emits the default set "
             "(README, 'Alarms and dashboards')",
         check=_default_alarms),
    Rule("log-groups-retained-and-shipped", "Every log group has a retention and exactly one shipping subscription, "
         "except the shipper's own and the domain's own",
         why="a log group without retention grows forever; one that is not shipped is missing from OpenSearch",
         fix="create log groups with retention_in_days from the profile and register them with "
             "core.log_shipping (components/log_shipping_hook.py)",
         check=_logs_retained_and_shipped),
    Rule("services-on-dashboards",
         "Every service has a dashboard section, and each observed resource is on a dashboard",
         why="on-call looks at dashboards first; a resource missing there is looked at last",
         fix="publish the service through ServiceComponent.publish with a ServiceView that lists the resource",
         check=_on_dashboards),
    Rule("opensearch-logs-published", "The OpenSearch domain publishes its error and audit logs to CloudWatch Logs",
         why="a failing or misused domain is diagnosed from its own logs, which must not live only inside it",
         fix="add log_publishing_options for ES_APPLICATION_LOGS and AUDIT_LOGS",
         check=_domain_logs, fsbp=("Opensearch.4", "Opensearch.5")),
)
