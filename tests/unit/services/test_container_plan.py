"""Container planning: every argument class is checked before anything is created; layout and names are stable."""
from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from components.naming import LIMITS, Namer
from components.network import subnet_layout
from components.services.container_plan import (FARGATE_MEMORY, Names, TaskPlan, fargate_size_problem,
                                                health_check_path_problem, listeners, load_balancer_ingress,
                                                task_ingress)
from components.services.container_service import ContainerServiceArgs, Image
from components.settings import load_settings


class FakeCore:
    """What `ContainerServiceArgs.problems` reads of the core: the settings."""

    def __init__(self, stack: str = "dev", **config: str) -> None:
        values = {f"platform:{k}": v for k, v in config.items()}
        if stack == "prod":
            values["platform:environment"] = "prod"
        self.settings = load_settings(stack, values)


MENU = Image(context="services/menu")
CPUS = sorted(FARGATE_MEMORY)


@given(st.sampled_from(CPUS + [128, 300, 32768]), st.integers(min_value=256, max_value=131072))
def test_fargate_pairs_are_exactly_the_documented_table(cpu, memory):
    allowed = cpu in FARGATE_MEMORY and memory in FARGATE_MEMORY[cpu]
    assert (fargate_size_problem(cpu, memory) is None) is allowed


def test_the_table_matches_the_documented_ranges():
    assert FARGATE_MEMORY[256] == (512, 1024, 2048)
    assert (FARGATE_MEMORY[512][0], FARGATE_MEMORY[512][-1]) == (1024, 4096)
    assert (FARGATE_MEMORY[4096][0], FARGATE_MEMORY[4096][-1]) == (8192, 30720)
    assert FARGATE_MEMORY[16384][1] - FARGATE_MEMORY[16384][0] == 8192


@given(st.text(max_size=60))
def test_a_health_check_path_must_start_with_a_slash(path):
    problem = health_check_path_problem(path)
    if not path.startswith("/"):
        assert problem and "start with '/'" in problem
    elif problem is None:
        assert " " not in path and "?" not in path


@settings(max_examples=60, deadline=None)
@given(cpu=st.sampled_from(CPUS), memory=st.sampled_from([512, 1024, 3072, 4096, 30720]),
       port=st.integers(min_value=-5, max_value=70000), path=st.sampled_from(["/health", "health", "/ok now"]),
       counts=st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)))
def test_every_bad_argument_is_named_and_good_ones_pass(cpu, memory, port, path, counts):
    desired, low, high = counts
    args = ContainerServiceArgs(image=MENU, cpu=cpu, memory_mb=memory, port=port, health_check_path=path,
                                desired_count=desired, min_count=low, max_count=high)
    problems = args.problems(FakeCore())
    bad = {"size": fargate_size_problem(cpu, memory) is not None,
           "port": not 1 <= port <= 65535 or port in (4317, 4318, 2000, 13133),
           "path": path != "/health", "counts": not low <= desired <= high}
    assert any(p.startswith("cpu = ") for p in problems) is bad["size"]
    assert any(p.startswith("port = ") for p in problems) is bad["port"]
    assert any(p.startswith("health_check_path = ") for p in problems) is bad["path"]
    assert any(p.startswith(("min_count", "desired_count")) for p in problems) is bad["counts"]
    assert len(problems) == sum(bad.values())


def test_prod_needs_a_certificate_and_a_certificate_must_be_an_acm_arn():
    assert any(p.startswith("certificate_arn: prod") for p in ContainerServiceArgs(image=MENU).problems(
        FakeCore("prod")))
    assert ContainerServiceArgs(image=MENU).problems(FakeCore("dev")) == []
    bad = ContainerServiceArgs(image=MENU, certificate_arn="arn:aws:iam::123456789012:server-certificate/x")
    assert any(p.startswith("certificate_arn = ") for p in bad.problems(FakeCore("dev")))


def test_listeners_and_who_may_connect():
    https = listeners("arn:aws:acm:us-east-1:123456789012:certificate/abc")
    assert [(l.port, l.protocol, l.redirect_to_https) for l in https] == [(443, "HTTPS", False), (80, "HTTP", True)]
    assert [(l.port, l.protocol) for l in listeners(None)] == [(80, "HTTP")]
    assert {(r.port, r.cidr or r.ipv6_cidr) for r in load_balancer_ingress(https)} == {
        (443, "0.0.0.0/0"), (443, "::/0"), (80, "0.0.0.0/0"), (80, "::/0")}
    assert [(r.port, r.from_load_balancer, r.cidr) for r in task_ingress(8080)] == [(8080, True, None)]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=60).filter(
    lambda s: s[0].isalpha() and not s.endswith("-")), st.sampled_from(["dev", "prod", "a-very-long-stack-name"]))
def test_names_fit_aws_limits_for_any_service(service, stack):
    names = Names.of(Namer("platform", stack), service)
    assert len(names.load_balancer) <= LIMITS["load_balancer"] and len(names.target_group) <= LIMITS["target_group"]
    for name in (names.load_balancer, names.target_group):
        assert not name.startswith(("-", "internal-")) and not name.endswith("-")


@given(st.integers(min_value=16, max_value=24), st.integers(min_value=1, max_value=8))
def test_subnets_never_overlap_and_stay_inside_the_vpc(prefix, zones):
    vpc = ipaddress.IPv4Network(f"10.0.0.0/{prefix}")
    layout = subnet_layout(str(vpc), zones)
    nets = [ipaddress.IPv4Network(c) for c in (*layout.public, *layout.private)]
    assert len(nets) == 2 * zones
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))


def test_adding_a_zone_keeps_the_existing_subnets():
    two, three = subnet_layout("10.40.0.0/16", 2), subnet_layout("10.40.0.0/16", 3)
    assert three.public[:2] == two.public and three.private[:2] == two.private


def test_the_read_only_app_writes_only_to_its_scratch_volumes():
    plan = TaskPlan(cpu=256, memory_mb=512, port=8080, environment={"A": "1"}, collector_image="x@sha256:" + "0" * 64,
                    log_group="/platform/dev/menu/container", region="us-east-1", service="platform-dev-menu-app",
                    writable_paths=("/tmp", "/var/cache/app"))
    app, _ = plan.container_definitions("repo@sha256:" + "1" * 64)
    volumes = {v["name"] for v in plan.volumes()}
    assert {m["sourceVolume"] for m in app["mountPoints"]} == volumes and len(volumes) == 2
    assert app["user"] == "10001" and app["readonlyRootFilesystem"] is True


@pytest.mark.parametrize("config,key", [
    ({"containerCpu": "256", "containerMemoryMb": "4096"}, "platform:containerMemoryMb"),
    ({"containerMinCount": "3", "containerMaxCount": "2"}, "platform:containerMinCount"),
    ({"containerDesiredCount": "5"}, "platform:containerDesiredCount"),
    ({"containerHealthCheckTimeoutSeconds": "20"}, "platform:containerHealthCheckTimeoutSeconds"),
    ({"containerVpcId": "vpc-0123456789abcdef0"}, "platform:containerPrivateSubnetIds"),
    ({"containerPublicSubnetIds": "subnet-0123456789abcdef0"}, "platform:containerPublicSubnetIds"),
    ({"containerCollectorImage": "public.ecr.aws/aws-observability/aws-otel-collector:latest"},
     "platform:containerCollectorImage"),
    ({"containerVpcCidr": "10.40.0.1/16"}, "platform:containerVpcCidr"),
    ({"alarmEcsCpuWarningPct": "90", "alarmEcsCpuCriticalPct": "80"}, "platform:alarmEcsCpuCriticalPct"),
])
def test_container_settings_report_what_is_allowed(config, key):
    from components.settings import SettingsError

    with pytest.raises(SettingsError) as info:
        load_settings("dev", {f"platform:{k}": v for k, v in config.items()})
    assert key in {p.key for p in info.value.problems}
