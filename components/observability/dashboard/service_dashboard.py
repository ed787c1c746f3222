"""Per-service dashboard bodies (the stack overview is in ``overview``).

They are pure functions of refs and alarm ARNs (deterministic from names), so
``dashboards/<stack>/`` can be generated offline and compared to what deploys.
Every body is validated before it is returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.observability.alb.widgets import load_balancer_widgets
from components.observability.apigateway.alarms import ACCESS_LOG_QUERY
from components.observability.apigateway.widgets import rest_api_widgets
from components.observability.dashboard import links
from components.observability.dashboard.layout import dashboard_body, pack_sections, validate_dashboard_body
from components.observability.dashboard.widgets import (
    MAX_ALARMS_PER_ALARM_WIDGET,
    Widget,
    alarm_status_widget,
    log_insights_widget,
    section_header,
    text_widget,
)
from components.observability.descriptions import ERRORS_QUERY, REPORT_QUERY
from components.observability.dynamodb.widgets import table_widgets
from components.observability.ecs.widgets import container_log_widgets, ecs_service_widgets
from components.observability.events.widgets import rule_widgets
from components.observability.firehose.widgets import delivery_stream_widgets
from components.observability.scheduler.widgets import schedule_widgets
from components.observability.kinesis.widgets import stream_widgets
from components.observability.lambda_.widgets import lambda_widgets
from components.observability.refs import ServiceView
from components.observability.sns.widgets import topic_widgets
from components.observability.sqs.widgets import queue_widgets
from components.observability.stepfunctions.widgets import state_machine_widgets

DEFAULT_START = "-PT6H"

# REPORT lines are written by the Lambda runtime as plain text, not JSON.
LAMBDA_REPORT_QUERY = REPORT_QUERY


def alarm_status_widgets(alarm_arns: Sequence[str], title: str) -> list[Widget]:
    """One widget per 100 alarms (the alarm widget's limit), in the given order."""
    arns = list(dict.fromkeys(alarm_arns))
    chunks = [arns[i : i + MAX_ALARMS_PER_ALARM_WIDGET] for i in range(0, len(arns), MAX_ALARMS_PER_ALARM_WIDGET)]
    return [
        alarm_status_widget(chunk, title if len(chunks) == 1 else f"{title} ({n + 1}/{len(chunks)})")
        for n, chunk in enumerate(chunks)
    ]


def service_header_markdown(view: ServiceView) -> str:
    """Links an on-call engineer needs first: consoles, traces, logs, OpenSearch Dashboards."""
    region = view.region
    lines = [f"# {view.service} ({view.stack})", ""]
    for fn in view.lambdas:
        lines.append(f"- Lambda [{fn.function_name}]({links.lambda_function_url(region, fn.function_name)})")
    if view.apis:
        names = ", ".join(f"{a.api_name}/{a.stage_name}" for a in view.apis)
        lines.append(f"- API Gateway [{names}]({links.apigateway_apis_url(region)})")
    for table in view.tables:
        lines.append(f"- DynamoDB [{table.table_name}]({links.dynamodb_table_url(region, table.table_name)})")
    trace_note = f" (choose group `{view.xray_group_name}`)" if view.xray_group_name else ""
    lines.append(
        f"- X-Ray [trace map]({links.xray_trace_map_url(region)}) and [traces]({links.xray_traces_url(region)}){trace_note}"
    )
    if view.log_group_names:
        url = links.logs_insights_url(region, view.log_group_names, ERRORS_QUERY)
        lines.append(f"- [Logs Insights: recent errors]({url}) across {len(view.log_group_names)} log groups")
    if view.opensearch_dashboards_url:
        lines.append(f"- [OpenSearch Dashboards]({view.opensearch_dashboards_url})")
    return "\n".join(lines)


def _header_widget(markdown: str) -> Widget:
    return text_widget(markdown, height=min(2 + markdown.count("\n"), 12))


def service_sections(view: ServiceView, alarm_arns: Sequence[str]) -> list[list[Widget]]:
    sections: list[list[Widget]] = [[_header_widget(service_header_markdown(view))]]
    if alarm_arns:
        sections.append(alarm_status_widgets(alarm_arns, f"{view.service}: alarms"))
    for api in view.apis:
        sections.append([section_header(f"API {api.api_name}/{api.stage_name}"), *rest_api_widgets(api, view.region)])
    for fn in view.lambdas:
        sections.append([section_header(f"Lambda {fn.function_name}"), *lambda_widgets(fn, view.region)])
    for table in view.tables:
        sections.append([section_header(f"DynamoDB {table.table_name}"), *table_widgets(table, view.region)])
    for stream in view.streams:
        sections.append([section_header(f"Kinesis {stream.stream_name}"), *stream_widgets(stream, view.region)])
    for queue in view.queues:
        kind = "SQS dead-letter queue" if queue.is_dead_letter else "SQS"
        sections.append([section_header(f"{kind} {queue.queue_name}"), *queue_widgets(queue, view.region)])
    for topic in view.topics:
        sections.append([section_header(f"SNS {topic.topic_name}"), *topic_widgets(topic, view.region)])
    for machine in view.state_machines:
        sections.append([section_header(f"Step Functions {machine.state_machine_name}"),
                         *state_machine_widgets(machine, view.region)])
    for rule in view.rules:
        sections.append([section_header(f"EventBridge rule {rule.rule_name}"), *rule_widgets(rule, view.region)])
    for schedule in view.schedules:
        sections.append([section_header(f"Schedule {schedule.schedule_name}"), *schedule_widgets(schedule, view.region)])
    for delivery in view.delivery_streams:
        sections.append([section_header(f"Firehose {delivery.stream_name}"),
                         *delivery_stream_widgets(delivery, view.region)])
    for lb in view.load_balancers:
        sections.append([section_header(f"Load balancer {lb.load_balancer_name}"),
                         *load_balancer_widgets(lb, view.region)])
    for ecs in view.ecs_services:
        sections.append([section_header(f"ECS service {ecs.service_name}"), *ecs_service_widgets(ecs, view.region)])
        sections.append([section_header(f"Container logs {ecs.log_group_name}"),
                         *container_log_widgets(ecs, view.region)])
    lambda_groups = [fn.log_group_name for fn in view.lambdas]
    access_groups = [api.access_log_group_name for api in view.apis]
    logs: list[Widget] = []
    if lambda_groups:
        logs.append(log_insights_widget(lambda_groups, ERRORS_QUERY, view.region, f"{view.service}: recent errors"))
    if access_groups:
        logs.append(
            log_insights_widget(
                access_groups, ACCESS_LOG_QUERY.format(floor=500), view.region, f"{view.service}: recent 5XX requests"
            )
        )
    if lambda_groups:
        logs.append(
            log_insights_widget(
                lambda_groups, LAMBDA_REPORT_QUERY, view.region, f"{view.service}: invocations, cold starts, memory"
            )
        )
    if logs:
        sections.append([section_header("Logs"), *logs])
    return sections


def service_dashboard_body(view: ServiceView, alarm_arns: Sequence[str]) -> dict[str, Any]:
    """The service dashboard: header links, alarms, one section per resource, then logs."""
    body = dashboard_body(pack_sections(service_sections(view, alarm_arns)), start=DEFAULT_START, period_override="auto")
    validate_dashboard_body(body, name=view.dashboard_name or f"{view.service} ({view.stack})")
    return body
