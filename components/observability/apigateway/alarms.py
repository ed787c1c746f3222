"""Default alarms for a REST API stage (namespace AWS/ApiGateway, dimensions ApiName + Stage).

Default set: 5XX rate % and 4XX rate % (both guarded by ``min_invocations``
requests per period), and p99 Latency in ms.
"""

from __future__ import annotations

from components.observability._factory import fmt, guarded_percent, metric, profile_window, severity_alarms
from components.observability.descriptions import logs_insights_hint
from components.observability.model import AlarmSpec, MetricQuery, SeverityThresholds
from components.observability.refs import RestApiRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/ApiGateway"

# Field names match the platform's JSON access-log format (components/services/http_plan.py).
ACCESS_LOG_QUERY = (
    "fields @timestamp, httpMethod, resourcePath, status, errorMessage, requestId, xrayTraceId "
    "| filter status >= {floor} | sort @timestamp desc | limit 50"
)


def api_dimensions(api: RestApiRef) -> dict[str, str]:
    return {"ApiName": api.api_name, "Stage": api.stage_name}


def rate_expression(error_id: str, min_requests: int) -> str:
    """Percent of requests with that error class, 0 below the low-traffic guard."""
    return guarded_percent(error_id, "requests", min_requests)


def _rate_alarms(
    api: RestApiRef, t: AlarmThresholds, metric_name: str, thresholds: SeverityThresholds, check_first: str
) -> list[AlarmSpec]:
    dims = api_dimensions(api)
    kind = metric_name[:3]
    error_id = "server_errors" if metric_name == "5XXError" else "client_errors"
    queries = (
        MetricQuery(id="requests", metric=metric(NAMESPACE, "Count", dims, "Sum", t.period_seconds)),
        MetricQuery(id=error_id, metric=metric(NAMESPACE, metric_name, dims, "Sum", t.period_seconds)),
        MetricQuery(
            id="error_rate",
            expression=rate_expression(error_id, t.min_invocations),
            label=f"{kind} rate (%)",
            return_data=True,
        ),
    )
    return severity_alarms(
        thresholds,
        ("api", api.key_part, kind.lower()),
        window=profile_window(t),
        summary=lambda value: f"{api.api_name}/{api.stage_name}: {kind} rate >= {fmt(value)}%",
        meaning=lambda value: (
            f"{fmt(value)}% or more of requests to {api.api_name} stage {api.stage_name} returned "
            f"{kind} in {t.datapoints_to_alarm} of {t.evaluation_periods} periods "
            f"(only when >= {t.min_invocations} requests per period)."
        ),
        check_first=check_first,
        queries=queries,
    )


def server_error_alarms(api: RestApiRef, t: AlarmThresholds) -> list[AlarmSpec]:
    hint = logs_insights_hint(api.access_log_group_name, ACCESS_LOG_QUERY.format(floor=500))
    return _rate_alarms(
        api, t, "5XXError", t.api_5xx_rate_pct,
        hint + "; then the integration Lambda errors and the X-Ray trace map for the failing segment.",
    )


def client_error_alarms(api: RestApiRef, t: AlarmThresholds) -> list[AlarmSpec]:
    hint = logs_insights_hint(api.access_log_group_name, ACCESS_LOG_QUERY.format(floor=400))
    return _rate_alarms(
        api, t, "4XXError", t.api_4xx_rate_pct,
        hint + "; 429s mean stage throttling, 403s auth or WAF, 400s a client or recent contract change.",
    )


def latency_alarms(api: RestApiRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.api_latency_p99_ms,
        ("api", api.key_part, "latency"),
        window=profile_window(t),
        summary=lambda value: f"{api.api_name}/{api.stage_name}: p99 latency >= {fmt(value)} ms",
        meaning=lambda value: f"p99 Latency of {api.api_name} stage {api.stage_name} is at least {fmt(value)} ms.",
        check_first="Latency against IntegrationLatency on the dashboard (the gap is API Gateway itself), "
        "then the integration Lambda p99 duration and the X-Ray trace map.",
        metric=metric(NAMESPACE, "Latency", api_dimensions(api), "p99", t.period_seconds),
    )


def rest_api_alarms(api: RestApiRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set for one REST API stage."""
    return [*server_error_alarms(api, t), *client_error_alarms(api, t), *latency_alarms(api, t)]
