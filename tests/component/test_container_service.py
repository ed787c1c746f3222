"""ContainerService through the testing kit, with settings built in the test."""
from __future__ import annotations

import json

import pytest

from components.resources.tables import TableSpec
from components.services import container_service
from components.services.container_images import ImagePin
from components.services.container_service import ContainerServiceArgs, Image, UnpinnedImageError
from components.services.service import ServiceArgumentError
from tests.component import harness

MENU = Image(context="services/menu")
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
DIGEST = "sha256:" + "ab" * 32


def run(build, stack="dev", **config):
    """Not shared: several tests change what the component reads (image pins, the deploy mode)."""
    if stack == "prod":
        config = {"environment": "prod", "deletionProtection": "true", **config}
    done = harness.run(build, stack, **config)
    return done.view, done.platform


def catalog(platform, **overrides):
    return platform.add("catalog", ContainerServiceArgs(**{"image": MENU, "tables": [TableSpec(hash_key="item_id")],
                                                           **overrides}))


@pytest.fixture(scope="module")
def dev():
    return run(catalog)


def container_definitions(result, service="catalog"):
    return json.loads(result.get(f"{service}-task").inputs["containerDefinitions"])


@pytest.fixture(scope="module")
def pinned():
    """Two services in one run: `catalog` pinned in its own repository, `quotes` by a pin of another stack's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container_service, "read_pins", lambda root, stack: {
            "catalog": ImagePin("platform-dev-catalog-app", DIGEST), "quotes": ImagePin("platform-prod-quotes-app", DIGEST)})
        return run(lambda p: (catalog(p), p.add("quotes", ContainerServiceArgs(image=MENU))))


def test_every_container_logs_to_a_shipped_platform_log_group(dev):
    result, platform = dev
    group = "/platform/dev/catalog/container"
    definitions = container_definitions(result)
    assert [d["name"] for d in definitions] == ["app", "otel-collector"]
    for definition in definitions:
        options = definition["logConfiguration"]["options"]
        assert definition["logConfiguration"]["logDriver"] == "awslogs"
        assert (options["awslogs-group"], options["awslogs-region"]) == (group, "eu-west-1")
    log_group = result.get("catalog-container-logs").inputs
    assert log_group["retentionInDays"] == 14 and log_group["kmsKeyId"].startswith("arn:aws:kms:")
    assert group in [r.name for r in platform.core.log_shipping.registrations]
    assert [f.inputs["logGroup"] for f in result.of_type("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter")
            ].count(group) == 1


def test_the_tracing_sidecar_is_pinned_by_digest_and_the_app_sends_it_otlp(dev):
    app, collector = container_definitions(dev[0])
    assert "@sha256:" in collector["image"] and collector["essential"] is False
    assert collector["command"] == ["--config=/etc/ecs/ecs-xray.yaml"]
    environment = {e["name"]: e["value"] for e in app["environment"]}
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318"
    assert environment["OTEL_SERVICE_NAME"] == "platform-dev-catalog-app"
    assert environment["TABLE_NAME"] == "platform-dev-catalog-table"
    assert app["dependsOn"] == [{"containerName": "otel-collector", "condition": "START"}]
    # dev has ECS Exec, whose agent needs a writable root in the app container; prod is read-only (below).
    assert app["readonlyRootFilesystem"] is False and collector["readonlyRootFilesystem"] is True
    assert app["mountPoints"][0]["containerPath"] == "/tmp"
    assert 'service("platform-dev-catalog-app")' in dev[0].of_type("aws:xray/group:Group")[0].inputs["filterExpression"]


def test_unpinned_image_previews_as_a_named_placeholder(dev):
    app = container_definitions(dev[0])[0]
    assert app["image"].endswith("/platform-dev-catalog-app:unpinned-run-make-images")


def test_a_pinned_image_is_run_by_digest(pinned):
    assert container_definitions(pinned[0])[0]["image"] == (
        f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-dev-catalog-app@{DIGEST}")


def test_a_pin_for_another_repository_is_not_used(pinned):
    assert container_definitions(pinned[0], "quotes")[0]["image"].endswith(
        "/platform-dev-quotes-app:unpinned-run-make-images")


def test_pulumi_up_refuses_an_unpinned_image_but_creates_its_repository(monkeypatch):
    monkeypatch.setattr(container_service, "deploy_mode", lambda: "deploy")
    with pytest.raises(UnpinnedImageError) as info:
        run(catalog)
    assert str(info.value.cause).startswith("service 'catalog': no image is pinned ")
    assert "`make images STACK=dev`" in str(info.value.cause)
    types = info.value.registered.types()
    assert "aws:ecr/repository:Repository" in types
    assert not types & {"aws:ecs/taskDefinition:TaskDefinition", "aws:ecs/service:Service",
                        "aws:appautoscaling/target:Target"}


def test_tasks_run_in_private_subnets_behind_the_load_balancer_only(dev):
    result, _ = dev
    service = result.get("catalog-service").inputs
    private = {s.outputs["arn"].rsplit("/", 1)[1] for s in result.of_type("aws:ec2/subnet:Subnet") if "-private-" in s.name}
    public = {s.outputs["arn"].rsplit("/", 1)[1] for s in result.of_type("aws:ec2/subnet:Subnet") if "-public-" in s.name}
    assert set(service["networkConfiguration"]["subnets"]) == private and len(private) == 2
    assert service["networkConfiguration"]["assignPublicIp"] is False
    assert set(result.get("catalog-alb").inputs["subnets"]) == public
    tasks_sg = result.get("catalog-tasks-sg").outputs["arn"].rsplit("/", 1)[1]
    alb_sg = result.get("catalog-alb-sg").outputs["arn"].rsplit("/", 1)[1]
    ingress = [r.inputs for r in result.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    to_tasks = [r for r in ingress if r["securityGroupId"] == tasks_sg]
    assert to_tasks == [{**to_tasks[0], "referencedSecurityGroupId": alb_sg, "fromPort": 8080, "toPort": 8080}]
    assert "cidrIpv4" not in to_tasks[0]
    to_alb = [r for r in ingress if r["securityGroupId"] == alb_sg]
    assert {(r["fromPort"], r.get("cidrIpv4") or r.get("cidrIpv6")) for r in to_alb} == {(80, "0.0.0.0/0"), (80, "::/0")}


def test_dev_without_a_certificate_listens_on_http_with_exec_on_and_no_protection(dev):
    result, _ = dev
    listeners = [r.inputs for r in result.of_type("aws:lb/listener:Listener")]
    assert [(l["port"], l["protocol"]) for l in listeners] == [(80, "HTTP")]
    service = result.get("catalog-service").inputs
    assert service["enableExecuteCommand"] is True
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert result.get("catalog-alb").inputs["enableDeletionProtection"] is False
    policy = json.loads(result.get("catalog-task-policy").inputs["policy"])
    assert "EcsExecChannels" in {s["Sid"] for s in policy["Statement"]}


def test_prod_serves_https_only_with_exec_off_and_the_load_balancer_protected():
    result, _ = run(catalog, stack="prod", containerCertificateArn=CERTIFICATE)
    listeners = {l.inputs["port"]: l.inputs for l in result.of_type("aws:lb/listener:Listener")}
    assert listeners[443]["protocol"] == "HTTPS" and listeners[443]["certificateArn"] == CERTIFICATE
    assert listeners[443]["sslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    alb = result.get("catalog-alb").inputs
    assert alb["enableDeletionProtection"] is True and alb["dropInvalidHeaderFields"] is True
    assert alb["accessLogs"]["enabled"] is True
    bucket = alb["accessLogs"]["bucket"]
    encryption = next(r.inputs for r in result.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        if r.name == "catalog-alb-logs-encryption")
    assert encryption["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    statements = json.loads(next(r.inputs["policy"] for r in result.of_type("aws:s3/bucketPolicy:BucketPolicy")
                                 if r.name == "catalog-alb-logs-tls"))["Statement"]
    writes = next(s for s in statements if s["Sid"] == "LoadBalancerWritesAccessLogs")
    assert writes["Resource"] == f"arn:aws:s3:::{bucket}/platform-prod-catalog-alb/AWSLogs/123456789012/*"
    assert result.get("catalog-service").inputs["enableExecuteCommand"] is False
    app = json.loads(result.get("catalog-task").inputs["containerDefinitions"])[0]
    assert app["readonlyRootFilesystem"] is True and app["user"] == "10001"
    policy = json.loads(result.get("catalog-task-policy").inputs["policy"])
    assert "EcsExecChannels" not in {s["Sid"] for s in policy["Statement"]}


# Each argument class is covered without a stack in tests/unit/services/test_container_plan.py; these two
# show the same check stops Platform.add before the service registers anything.
@pytest.mark.parametrize("overrides,stack,config,named", [
    ({"health_check_path": "health", "cpu": 256, "memory_mb": 4096}, "dev", {}, "health_check_path = 'health'"),
    ({}, "prod", {}, "certificate_arn: prod serves HTTPS only"),
])
def test_a_bad_argument_names_the_service_and_the_argument_before_anything_exists(overrides, stack, config, named):
    with pytest.raises(ServiceArgumentError) as info:
        run(lambda p: catalog(p, **overrides), stack=stack, **config)
    assert info.value.service == "catalog"
    assert any(problem.startswith(named) for problem in info.value.problems), info.value.problems
    assert not [r for r in info.value.registered.resources if r.name.startswith("catalog")]


def test_alarms_cover_the_load_balancer_and_the_ecs_service_with_assigned_ids(dev):
    result, _ = dev
    alarms = {a.inputs["name"].removeprefix("platform-dev-catalog-"): a.inputs
              for a in result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
              if a.inputs["tags"]["platform:service"] == "catalog"}
    for key in ("alb-alb-elb-5xx-warning", "alb-alb-target-5xx-warning", "alb-alb-target-5xx-rate-critical",
                "alb-alb-latency-warning", "alb-alb-unhealthy-hosts-warning", "alb-alb-rejected-warning",
                "ecs-app-cpu-warning", "ecs-app-memory-critical", "ecs-app-tasks-missing-critical"):
        assert key in alarms, sorted(alarms)
    suffix = result.get("catalog-alb").outputs["arnSuffix"]
    assert alarms["alb-alb-elb-5xx-warning"]["dimensions"] == {"LoadBalancer": suffix}
    assert alarms["alb-alb-latency-warning"]["threshold"] == 1.0  # 1000 ms, in seconds
    text = json.dumps(list(alarms.values()))
    assert "{{deploy-time:" not in text and suffix in text
    rule = result.get("catalog-health").inputs["alarmRule"]
    assert all(f'ALARM("platform-dev-catalog-{key}")' in rule for key in alarms)


def test_the_dashboard_has_load_balancer_ecs_and_log_sections_with_assigned_ids(dev):
    result, _ = dev
    body = result.get("catalog-dashboard").inputs["dashboardBody"]
    assert "{{deploy-time:" not in body and result.get("catalog-tg").outputs["arnSuffix"] in body
    headers = [w["properties"]["markdown"] for w in json.loads(body)["widgets"] if w["type"] == "text"]
    assert {"## Load balancer platform-dev-catalog-alb", "## ECS service platform-dev-catalog-app",
            "## Container logs /platform/dev/catalog/container"} <= set(headers)
    logs = [w for w in json.loads(body)["widgets"] if w["type"] == "log"]
    assert any("SOURCE '/platform/dev/catalog/container'" in w["properties"]["query"] for w in logs)


def test_scaling_tracks_cpu_and_requests_within_the_profile(dev):
    result, _ = dev
    target = result.get("catalog-scaling").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 2)
    policies = {p.name: p.inputs["targetTrackingScalingPolicyConfiguration"]
                for p in result.of_type("aws:appautoscaling/policy:Policy")}
    assert policies["catalog-scale-cpu"]["targetValue"] == 60
    label = policies["catalog-scale-requests"]["predefinedMetricSpecification"]["resourceLabel"]
    assert label.startswith("app/platform-dev-catalog-alb/") and "/targetgroup/platform-dev-catalog-tg/" in label
    assert result.get("catalog-service").inputs["desiredCount"] == 1


def test_two_services_share_one_network_and_cluster(pinned):
    result, _ = pinned
    result.resource_count_is("aws:ec2/vpc:Vpc", 1)
    result.resource_count_is("aws:ecs/cluster:Cluster", 1)
    result.resource_count_is("aws:ecs/service:Service", 2)


def test_an_existing_vpc_from_settings_is_used_instead_of_a_new_one():
    result, _ = run(catalog, containerVpcId="vpc-0123456789abcdef0",
                    containerPrivateSubnetIds="subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2",
                    containerPublicSubnetIds="subnet-0bbbbbbbbbbbbbbb1,subnet-0bbbbbbbbbbbbbbb2")
    assert not result.of_type("aws:ec2/vpc:Vpc") and not result.of_type("aws:ec2/natGateway:NatGateway")
    assert result.get("catalog-service").inputs["networkConfiguration"]["subnets"] == [
        "subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
    assert result.get("catalog-tg").inputs["vpcId"] == "vpc-0123456789abcdef0"


def test_roles_are_least_privilege(dev):
    result, _ = dev
    execution = json.loads(result.get("catalog-task-exec-policy").inputs["policy"])["Statement"]
    by_sid = {s["Sid"]: s for s in execution}
    assert set(by_sid) == {"PullImageAuthorization", "PullOwnImage", "WriteOwnLogs"}
    assert by_sid["PullOwnImage"]["Resource"] == "arn:aws:ecr:eu-west-1:123456789012:repository/platform-dev-catalog-app"
    task = {s["Sid"]: s for s in json.loads(result.get("catalog-task-policy").inputs["policy"])["Statement"]}
    assert set(task) == {"WriteTraces", "EcsExecChannels", "UseOwnTable", "UseStackKeyViaDynamodb"}
    for statement in [*execution, *task.values()]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not [a for a in actions if a == "*" or a.endswith(":*")]
