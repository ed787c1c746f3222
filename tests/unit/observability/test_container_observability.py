"""Load balancer and ECS alarms and widgets, and values AWS assigns at creation (deploy-time values)."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, strategies as st

from components.observability.alb.alarms import load_balancer_alarms
from components.observability.alb.widgets import load_balancer_widgets
from components.observability.dashboard.service_dashboard import service_dashboard_body
from components.observability.deploy_time import MARK, DeployTimeValue, deploy_time_values, substitute
from components.observability.ecs.alarms import ecs_service_alarms
from components.observability.ecs.widgets import ecs_service_widgets
from components.observability.model import MAX_DESCRIPTION_CHARS, Severity, SeverityThresholds
from components.observability.refs import EcsServiceRef, LoadBalancerRef, ServiceView
from components.observability.service_alarms import service_alarms
from components.observability.thresholds import RECOMMENDED_THRESHOLDS

LB = LoadBalancerRef(load_balancer_name="platform-dev-menu-alb", target_group_name="platform-dev-menu-tg",
                     load_balancer_dimension="app/platform-dev-menu-alb/50dc6c495c0c9188",
                     target_group_dimension="targetgroup/platform-dev-menu-tg/73e2d6bc24d8a067",
                     access_log_bucket="platform-dev-menu-alb-logs-123456789012", part="alb")
ECS = EcsServiceRef(cluster_name="platform-dev-containers", service_name="platform-dev-menu-app",
                    log_group_name="/platform/dev/menu/container", desired_count=2, part="app")


def test_load_balancer_alarms_name_each_signal_once_per_enabled_severity():
    specs = load_balancer_alarms(LB, RECOMMENDED_THRESHOLDS)
    assert [s.key for s in specs] == [
        "alb-alb-elb-5xx-warning", "alb-alb-elb-5xx-critical", "alb-alb-target-5xx-warning",
        "alb-alb-target-5xx-rate-warning", "alb-alb-target-5xx-rate-critical", "alb-alb-latency-warning",
        "alb-alb-latency-critical", "alb-alb-unhealthy-hosts-warning", "alb-alb-rejected-warning"]
    by_key = {s.key: s for s in specs}
    assert dict(by_key["alb-alb-elb-5xx-warning"].metric.dimensions) == {"LoadBalancer": LB.load_balancer_dimension}
    assert dict(by_key["alb-alb-unhealthy-hosts-warning"].metric.dimensions) == {
        "TargetGroup": LB.target_group_dimension, "LoadBalancer": LB.load_balancer_dimension}
    assert by_key["alb-alb-latency-critical"].threshold == 3.0  # 3000 ms; TargetResponseTime is in seconds
    rate = by_key["alb-alb-target-5xx-rate-critical"]
    assert rate.queries[-1].expression == "IF(requests >= 20, 100 * server_errors / requests, 0)"


def test_ecs_alarms_include_a_critical_alarm_for_missing_tasks():
    specs = {s.key: s for s in ecs_service_alarms(ECS, RECOMMENDED_THRESHOLDS)}
    assert set(specs) == {"ecs-app-cpu-warning", "ecs-app-cpu-critical", "ecs-app-memory-warning",
                          "ecs-app-memory-critical", "ecs-app-tasks-missing-critical"}
    missing = specs["ecs-app-tasks-missing-critical"]
    assert missing.severity is Severity.CRITICAL and missing.threshold == 1
    assert missing.queries[-1].expression == "desired - running"
    assert {q.metric.namespace for q in missing.queries if q.metric} == {"ECS/ContainerInsights"}


def test_every_description_says_what_to_check_first_within_cloudwatch_limits():
    for spec in [*load_balancer_alarms(LB, RECOMMENDED_THRESHOLDS), *ecs_service_alarms(ECS, RECOMMENDED_THRESHOLDS)]:
        assert "Check first:" in spec.description and len(spec.description) <= MAX_DESCRIPTION_CHARS


def test_off_switches_a_severity_off():
    t = dataclasses.replace(RECOMMENDED_THRESHOLDS, ecs_cpu_pct=SeverityThresholds(warning=None, critical=None),
                            alb_elb_5xx=SeverityThresholds(warning=None, critical=7.0))
    keys = [s.key for s in [*load_balancer_alarms(LB, t), *ecs_service_alarms(ECS, t)]]
    assert "ecs-app-cpu-warning" not in keys and "ecs-app-cpu-critical" not in keys
    assert "alb-alb-elb-5xx-critical" in keys and "alb-alb-elb-5xx-warning" not in keys


def test_a_service_view_with_containers_gets_their_alarms_and_sections():
    view = ServiceView(service="menu", stack="dev", region="eu-west-1", account_id="123456789012",
                       load_balancers=(LB,), ecs_services=(ECS,))
    assert len(service_alarms(view, RECOMMENDED_THRESHOLDS)) == 14
    body = service_dashboard_body(view, [])
    titles = [w["properties"].get("title") or w["properties"].get("markdown") for w in body["widgets"]]
    assert "## Load balancer platform-dev-menu-alb" in titles and "## ECS service platform-dev-menu-app" in titles
    assert "platform-dev-menu-app: recent errors" in titles
    assert view.log_group_names == ("/platform/dev/menu/container",)
    assert len(load_balancer_widgets(LB, "eu-west-1")) == 4 and len(ecs_service_widgets(ECS, "eu-west-1")) == 3


# ---------------------------------------------------------------- deploy-time values

labels = st.text(alphabet="abcXYZ019:._/-", min_size=1, max_size=30)


@given(st.dictionaries(labels, st.text(alphabet="abcdef0123456789/", min_size=1, max_size=20), min_size=1, max_size=5))
def test_every_stand_in_in_a_body_is_found_and_replaced(values):
    late = {label: DeployTimeValue(label, value) for label, value in values.items()}
    body = {"widgets": [{"properties": {"metrics": [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", v]]}}
                        for v in late.values()]}
    found = deploy_time_values(body)
    assert sorted(found.values()) == sorted(values.values())
    text = substitute(json.dumps(body), found)
    assert MARK not in text and all(v in text for v in values.values())


@pytest.mark.parametrize("label", ["", 'a"b', "a}}b", "a b"])
def test_labels_that_json_would_change_are_refused(label):
    with pytest.raises(ValueError, match="deploy-time label"):
        DeployTimeValue(label, "x")


def test_a_stand_in_that_lost_its_value_is_refused():
    lost = str.__str__(DeployTimeValue("menu-alb:arnSuffix", "app/x/1"))   # a plain str copy: the value is gone
    with pytest.raises(ValueError, match="lost its value"):
        substitute(json.dumps({"dimension": lost}), {})


def test_a_deploy_time_value_behaves_as_its_stand_in_text_in_pure_builders():
    value = DeployTimeValue("lb", "app/platform-dev-menu-alb/1")
    view = dataclasses.replace(LB, load_balancer_dimension=value)
    spec = load_balancer_alarms(view, RECOMMENDED_THRESHOLDS)[0]
    assert dict(spec.metric.dimensions)["LoadBalancer"] is value
    assert json.dumps(value) == '"{{deploy-time:lb}}"'
