"""Default alarms for the load balancer of a container service (namespace AWS/ApplicationELB).

Default set: 5XX the load balancer returned itself (no healthy target, a target that reset or timed
out), 5XX the tasks returned (a count, and a rate guarded by ``min_invocations`` requests per period),
p99 target response time in ms, unhealthy targets and rejected connections. Target metrics are read
per target group, so they belong to the one service behind it.
"""

from __future__ import annotations

from components.observability._factory import fmt, guarded_percent, metric, profile_window, severity_alarms
from components.observability.model import AlarmSpec, MetricQuery
from components.observability.refs import LoadBalancerRef
from components.observability.thresholds import AlarmThresholds

NAMESPACE = "AWS/ApplicationELB"


def load_balancer_dimensions(lb: LoadBalancerRef) -> dict[str, str]:
    return {"LoadBalancer": lb.load_balancer_dimension}


def target_group_dimensions(lb: LoadBalancerRef) -> dict[str, str]:
    return {"TargetGroup": lb.target_group_dimension, "LoadBalancer": lb.load_balancer_dimension}


def _access_logs_hint(lb: LoadBalancerRef, what: str) -> str:
    where = f"s3://{lb.access_log_bucket}/{lb.load_balancer_name}/" if lb.access_log_bucket else "the access logs"
    return f"the access logs in {where} for {what}"


def elb_5xx_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.alb_elb_5xx,
        ("alb", lb.key_part, "elb-5xx"),
        window=profile_window(t),
        summary=lambda value: f"{lb.load_balancer_name}: load balancer 5XX >= {fmt(value)} per period",
        meaning=lambda value: (
            f"The load balancer {lb.load_balancer_name} itself answered {fmt(value)} or more requests with 5XX in "
            f"{t.datapoints_to_alarm} of {t.evaluation_periods} periods: 503 means no healthy task, 502 a task "
            "closed the connection, 504 a task did not answer in time."
        ),
        check_first="the healthy hosts widget on the dashboard (503 with none healthy), then "
        + _access_logs_hint(lb, "elb_status_code 5xx")
        + ", then the service's recent task stops in the ECS console.",
        metric=metric(NAMESPACE, "HTTPCode_ELB_5XX_Count", load_balancer_dimensions(lb), "Sum", t.period_seconds),
    )


def target_5xx_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.alb_target_5xx,
        ("alb", lb.key_part, "target-5xx"),
        window=profile_window(t),
        summary=lambda value: f"{lb.target_group_name}: task 5XX >= {fmt(value)} per period",
        meaning=lambda value: (
            f"Tasks behind {lb.target_group_name} answered {fmt(value)} or more requests with 5XX in "
            f"{t.datapoints_to_alarm} of {t.evaluation_periods} periods."
        ),
        check_first="the 'recent errors' Logs Insights widget on the dashboard (ERROR lines with their trace ids), "
        "then the failing traces in X-Ray.",
        metric=metric(NAMESPACE, "HTTPCode_Target_5XX_Count", target_group_dimensions(lb), "Sum", t.period_seconds),
    )


def target_5xx_rate_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    dims = target_group_dimensions(lb)
    queries = (
        MetricQuery(id="requests", metric=metric(NAMESPACE, "RequestCount", dims, "Sum", t.period_seconds)),
        MetricQuery(id="server_errors", metric=metric(NAMESPACE, "HTTPCode_Target_5XX_Count", dims, "Sum",
                                                      t.period_seconds)),
        MetricQuery(id="error_rate", expression=guarded_percent("server_errors", "requests", t.min_invocations),
                    label="task 5XX rate (%)", return_data=True),
    )
    return severity_alarms(
        t.alb_target_5xx_rate_pct,
        ("alb", lb.key_part, "target-5xx-rate"),
        window=profile_window(t),
        summary=lambda value: f"{lb.target_group_name}: task 5XX rate >= {fmt(value)}%",
        meaning=lambda value: (
            f"{fmt(value)}% or more of the requests {lb.load_balancer_name} routed to {lb.target_group_name} got 5XX "
            f"from a task in {t.datapoints_to_alarm} of {t.evaluation_periods} periods "
            f"(only when >= {t.min_invocations} requests per period)."
        ),
        check_first="the 'recent errors' Logs Insights widget on the dashboard, then whether the rate rose with a "
        "deploy (the ECS service's events) or with a dependency (the X-Ray trace map).",
        queries=queries,
    )


def response_time_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    # TargetResponseTime is in seconds; thresholds are configured in milliseconds like every other latency.
    return severity_alarms(
        t.alb_response_time_p99_ms,
        ("alb", lb.key_part, "latency"),
        window=profile_window(t),
        summary=lambda value: f"{lb.target_group_name}: p99 response time >= {fmt(value)} ms",
        meaning=lambda value: f"p99 TargetResponseTime of {lb.target_group_name} is at least {fmt(value)} ms.",
        check_first="CPU and memory of the tasks on the dashboard (saturated: scaling at its maximum?), then the "
        "slowest traces in X-Ray and their downstream calls.",
        threshold=lambda value: value / 1000,
        metric=metric(NAMESPACE, "TargetResponseTime", target_group_dimensions(lb), "p99", t.period_seconds),
    )


def unhealthy_host_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.alb_unhealthy_hosts,
        ("alb", lb.key_part, "unhealthy-hosts"),
        window=profile_window(t),
        summary=lambda value: f"{lb.target_group_name}: unhealthy targets >= {fmt(value)}",
        meaning=lambda value: (
            f"{fmt(value)} or more tasks of {lb.target_group_name} failed their health checks in "
            f"{t.datapoints_to_alarm} of {t.evaluation_periods} periods."
        ),
        check_first="the target group's health check reasons in the EC2 console (Target groups > Targets), then the "
        "tasks' last log lines before they stopped.",
        metric=metric(NAMESPACE, "UnHealthyHostCount", target_group_dimensions(lb), "Maximum", t.period_seconds),
    )


def rejected_connection_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    return severity_alarms(
        t.alb_rejected_connections,
        ("alb", lb.key_part, "rejected"),
        window=profile_window(t),
        summary=lambda value: f"{lb.load_balancer_name}: rejected connections >= {fmt(value)} per period",
        meaning=lambda value: (
            f"{lb.load_balancer_name} rejected {fmt(value)} or more connections per period: it reached its "
            "connection limit."
        ),
        check_first="the request count on the dashboard for a traffic spike, then Elastic Load Balancing's "
        "capacity units in the Service Quotas console.",
        metric=metric(NAMESPACE, "RejectedConnectionCount", load_balancer_dimensions(lb), "Sum", t.period_seconds),
    )


def load_balancer_alarms(lb: LoadBalancerRef, t: AlarmThresholds) -> list[AlarmSpec]:
    """The default alarm set of one load balancer and its target group."""
    return [*elb_5xx_alarms(lb, t), *target_5xx_alarms(lb, t), *target_5xx_rate_alarms(lb, t),
            *response_time_alarms(lb, t), *unhealthy_host_alarms(lb, t), *rejected_connection_alarms(lb, t)]
