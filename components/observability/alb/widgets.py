"""Dashboard widgets for the load balancer of a container service."""

from __future__ import annotations

from components.observability._factory import ResourceMetrics
from components.observability.alb.alarms import NAMESPACE, load_balancer_dimensions, target_group_dimensions
from components.observability.dashboard.widgets import DEFAULT_PERIOD, Widget, metric_widget
from components.observability.model import MetricQuery
from components.observability.refs import LoadBalancerRef


def load_balancer_widgets(lb: LoadBalancerRef, region: str, period: int = DEFAULT_PERIOD) -> list[Widget]:
    """Requests, errors (with the task 5XX rate), response time p50/p99, healthy and unhealthy targets."""
    lb_metrics = ResourceMetrics(NAMESPACE, load_balancer_dimensions(lb), period)
    tg = ResourceMetrics(NAMESPACE, target_group_dimensions(lb), period)
    name = lb.load_balancer_name
    return [
        metric_widget(f"{name}: requests", [tg.query("requests", "RequestCount", "Sum", "requests"),
                                            lb_metrics.query("rejected", "RejectedConnectionCount", "Sum",
                                                             "rejected connections")],
                      region, stat="Sum", period=period, width=8),
        metric_widget(
            f"{name}: errors",
            [
                lb_metrics.query("elb_5xx", "HTTPCode_ELB_5XX_Count", "Sum", "load balancer 5XX"),
                tg.query("target_5xx", "HTTPCode_Target_5XX_Count", "Sum", "task 5XX"),
                tg.query("target_4xx", "HTTPCode_Target_4XX_Count", "Sum", "task 4XX"),
                tg.query("all_requests", "RequestCount", "Sum"),
                MetricQuery(id="target_5xx_rate", expression="100 * target_5xx / all_requests", label="task 5XX rate (%)"),
            ],
            region, stat="Sum", period=period, width=8,
        ),
        metric_widget(
            f"{name}: response time (s)",
            [tg.query("p50", "TargetResponseTime", "p50", "p50"), tg.query("p99", "TargetResponseTime", "p99", "p99")],
            region, period=period, width=8, y_axis={"left": {"min": 0, "label": "s", "showUnits": False}},
        ),
        metric_widget(
            f"{lb.target_group_name}: targets",
            [tg.query("healthy", "HealthyHostCount", "Minimum", "healthy"),
             tg.query("unhealthy", "UnHealthyHostCount", "Maximum", "unhealthy")],
            region, period=period, width=8,
        ),
    ]
