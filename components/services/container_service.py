"""`ContainerService`: an HTTP app in containers on ECS Fargate behind an Application Load Balancer.

Seed 001's container microservices, observed like every other service: the task ships its logs
through the awslogs driver to a platform log group (registered with the shipping hook), carries an
AWS Distro for OpenTelemetry collector that sends its traces to X-Ray, and the service gets the
load balancer and ECS alarms, a composite health alarm and a dashboard through the one service
model. Tasks run in the stack's private subnets and only the load balancer reaches them; the
listener alone is open to the world. Cloud Map gives the service a name inside the VPC.

Everything is planned first (`container_plan.py`): a bad argument raises one error naming the
service and the argument before any resource exists.
"""
from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_aws as aws

from components import iam
from components.core import PlatformCore
from components.log_shipping_hook import LogGroupRegistration
from components.network import StackNetwork, namespace_name, stack_network
from components.observability.deploy_time import DeployTimeValue
from components.observability.refs import EcsServiceRef, LoadBalancerRef, ServiceView
from components.resources.buckets import bucket_name, private_bucket
from components.resources.code import running_under_mocks
from components.resources.tables import TableSpec
from components.services.access import Access, key_statement, merge
from components.services.container_images import ImagePin, image_reference, read_pins, usable_pin
from components.services.container_plan import (APP_CONTAINER, COLLECTOR_PORTS, RESERVED_ENVIRONMENT, SSL_POLICY,
                                                ContainerPlan,
                                                HealthCheck, IngressRule, Names, Scaling, TaskPlan,
                                                certificate_problem, fargate_size_problem,
                                                health_check_path_problem, listeners, load_balancer_ingress,
                                                task_ingress)
from components.services.service import ServiceArgs, ServiceComponent

REPO_ROOT = Path(__file__).resolve().parents[2]
#: IAM statement ids whose Resource must be "*": AWS offers no narrower resource for these actions.
PULL_AUTHORIZATION_SID = "PullImageAuthorization"   # ecr:GetAuthorizationToken is account-wide
EXEC_CHANNELS_SID = "EcsExecChannels"               # ssmmessages channels of ECS Exec sessions
IMAGE_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
EXEC_ACTIONS = ("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel")
HEALTH_CHECK_GRACE_SECONDS = 60
MAX_TASKS = 1000


class UnpinnedImageError(RuntimeError):
    """`pulumi up` of a container service whose image `make images` has not pushed and recorded."""


@dataclass(frozen=True)
class Image:
    """Where a service's image is built from: a directory holding a Dockerfile, relative to the project."""

    context: str
    dockerfile: str = "Dockerfile"

    def problems(self, root: Path = REPO_ROOT) -> list[str]:
        path = root / self.context / self.dockerfile
        if Path(self.context).is_absolute() or ".." in Path(self.context).parts:
            return [f"image.context = {self.context!r}: a directory inside the project, such as services/menu"]
        if not path.is_file():
            return [f"image = {self.context}/{self.dockerfile}: no such Dockerfile in the project"]
        return []


@dataclass(frozen=True)
class ContainerServiceArgs(ServiceArgs["ContainerService"]):
    image: Image
    port: int = 8080
    health_check_path: str = "/health"
    cpu: int | None = None                  # None: the profile's containerCpu
    memory_mb: int | None = None            # None: the profile's containerMemoryMb
    desired_count: int | None = None
    min_count: int | None = None
    max_count: int | None = None
    tables: Sequence[TableSpec] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    #: What the tasks may use of other services (env + IAM), like a function's `access`.
    access: Sequence[Access] = ()
    #: None: the profile's containerCertificateArn. Prod without a certificate is refused.
    certificate_arn: str | None = None
    #: The app writes only to `writable_paths` (task ephemeral storage); set False if it cannot.
    read_only_root_filesystem: bool = True
    writable_paths: Sequence[str] = ("/tmp",)
    command: Sequence[str] | None = None
    description: str = ""

    def sizes(self, core: PlatformCore) -> tuple[int, int, int, int, int]:
        """(cpu, memory MiB, desired, minimum, maximum tasks), the profile filling what is not given."""
        profile = core.settings.containers
        return (self.cpu or profile.cpu, self.memory_mb or profile.memory_mb,
                self.desired_count or profile.desired_count, self.min_count or profile.min_count,
                self.max_count or profile.max_count)

    def certificate(self, core: PlatformCore) -> str | None:
        return self.certificate_arn if self.certificate_arn is not None else core.settings.containers.certificate_arn

    def problems(self, core: PlatformCore) -> list[str]:
        found = self.image.problems()
        cpu, memory, desired, low, high = self.sizes(core)
        size = fargate_size_problem(cpu, memory)
        if size:
            found.append(f"cpu = {cpu}, memory_mb = {memory}: {size}")
        if not 1 <= self.port <= 65535 or self.port in COLLECTOR_PORTS:
            found.append(f"port = {self.port}: 1 to 65535, other than the tracing sidecar's "
                         f"{', '.join(map(str, COLLECTOR_PORTS))}")
        path = health_check_path_problem(self.health_check_path)
        if path:
            found.append(f"health_check_path = {self.health_check_path!r}: {path}")
        if not 1 <= low <= high <= MAX_TASKS:
            found.append(f"min_count = {low}, max_count = {high}: 1 <= min_count <= max_count <= {MAX_TASKS}")
        elif not low <= desired <= high:
            found.append(f"desired_count = {desired}: between min_count ({low}) and max_count ({high})")
        certificate = self.certificate(core)
        if certificate:
            problem = certificate_problem(certificate)
            if problem:
                found.append(f"certificate_arn = {certificate!r}: {problem}")
        elif core.settings.environment == "prod":
            found.append("certificate_arn: prod serves HTTPS only; set platform:containerCertificateArn or "
                         "certificate_arn to an ACM certificate")
        for name in self.environment:
            if not name.isidentifier() or name in RESERVED_ENVIRONMENT:
                found.append(f"environment: {name!r} must be a variable name other than the platform's "
                             f"{', '.join(RESERVED_ENVIRONMENT)}")
        for path_text in self.writable_paths:
            if not path_text.startswith("/") or path_text == "/":
                found.append(f"writable_paths: {path_text!r} must be an absolute directory other than /")
        parts = [t.part for t in self.tables]
        if len(parts) != len(set(parts)):
            found.append(f"tables: parts {parts} must be distinct")
        return found

    def plan(self, service: str, core: PlatformCore) -> ContainerPlan:
        settings, profile = core.settings, core.settings.containers
        cpu, memory, desired, low, high = self.sizes(core)
        names = Names.of(core.namer, service)
        listener_set = listeners(self.certificate(core))
        environment = {"SERVICE_NAME": service, "ENVIRONMENT": settings.stack,
                       "METRICS_NAMESPACE": core.namer.metrics_namespace(), "LOG_LEVEL": settings.lambda_.log_level,
                       "TELEMETRY_EXPORTER": "otlp",
                       # Root-only X-Amzn-Trace-Id headers (from the load balancer) are sampled at the stack's rate.
                       "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                       "OTEL_TRACES_SAMPLER_ARG": f"{settings.tracing.sampling_rate:g}",
                       **self.environment}
        return ContainerPlan(
            names=names,
            task=TaskPlan(cpu=cpu, memory_mb=memory, port=self.port, environment=environment,
                          collector_image=profile.collector_image, log_group=names.log_group, region=settings.region,
                          service=names.service,
                          # ECS Exec's agent writes inside the container, so a task with Exec (dev) keeps a
                          # writable root; prod tasks, without Exec, run read-only.
                          read_only_root_filesystem=self.read_only_root_filesystem and settings.environment == "prod",
                          writable_paths=tuple(self.writable_paths), command=tuple(self.command) if self.command else None,
                          health_check_path=self.health_check_path),
            health_check=HealthCheck(path=self.health_check_path, interval_seconds=profile.health_check_interval_seconds,
                                     timeout_seconds=profile.health_check_timeout_seconds,
                                     healthy_threshold=profile.healthy_threshold,
                                     unhealthy_threshold=profile.unhealthy_threshold),
            scaling=Scaling(min_count=low, max_count=high, cpu_target_pct=profile.scale_cpu_pct,
                            requests_per_target=profile.scale_requests_per_target),
            desired_count=desired,
            deregistration_delay_seconds=profile.deregistration_delay_seconds,
            listeners=listener_set,
            exec_enabled=settings.environment != "prod",
            deletion_protection=settings.protection.deletion_protection,
            load_balancer_ingress=tuple(load_balancer_ingress(listener_set)),
            task_ingress=tuple(task_ingress(self.port)))

    def build(self, service: str, core: PlatformCore) -> ContainerService:
        return ContainerService(service, self, core)


def deploy_mode() -> str:
    """"preview" under the offline mocks or `pulumi preview`, "deploy" under `pulumi up`."""
    return "preview" if running_under_mocks() or pulumi.runtime.is_dry_run() else "deploy"


class SharedCluster(pulumi.ComponentResource):
    """The stack's ECS cluster, with Container Insights on; created by the first container service."""

    def __init__(self, core: PlatformCore) -> None:
        name = f"{core.settings.project}-containers"
        super().__init__("platform:containers:SharedCluster", name, None, pulumi.ResourceOptions(parent=core))
        self.name = core.namer.stack_wide("containers", "ecs_cluster")
        self.cluster = aws.ecs.Cluster(f"{name}-cluster", name=self.name,
                                       settings=[{"name": "containerInsights", "value": "enabled"}],
                                       tags=core.tags_for("containers"), opts=pulumi.ResourceOptions(parent=self))
        aws.ecs.ClusterCapacityProviders(f"{name}-capacity", cluster_name=self.cluster.name,
                                         capacity_providers=["FARGATE"],
                                         default_capacity_provider_strategies=[{"capacity_provider": "FARGATE",
                                                                                "weight": 1, "base": 0}],
                                         opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"clusterName": self.name})


_CLUSTERS: "weakref.WeakKeyDictionary[PlatformCore, SharedCluster]" = weakref.WeakKeyDictionary()


def shared_cluster(core: PlatformCore) -> SharedCluster:
    if core not in _CLUSTERS:
        _CLUSTERS[core] = SharedCluster(core)
    return _CLUSTERS[core]


def load_balancer_log_statement(elb_account_arn: str, bucket: str, prefix: str, account_id: str) -> dict[str, Any]:
    """Elastic Load Balancing writes access logs as its regional account, under the load balancer's prefix only."""
    return {"Sid": "LoadBalancerWritesAccessLogs", "Effect": "Allow", "Principal": {"AWS": elb_account_arn},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/{prefix}/AWSLogs/{account_id}/*"}


def execution_statements(ctx: iam.AccountContext, repository_arn: str, log_group: str) -> list[dict[str, Any]]:
    """What ECS needs to start a task: pull the service's own image and write its own log group."""
    return [{"Sid": PULL_AUTHORIZATION_SID, "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"],
             "Resource": "*"},
            {"Sid": "PullOwnImage", "Effect": "Allow", "Action": list(IMAGE_PULL_ACTIONS), "Resource": repository_arn},
            iam.write_logs(ctx, [log_group])]


def exec_statement() -> dict[str, Any]:
    # ECS Exec's session channels have no resource-level permissions, so "*" is required (dev only).
    return {"Sid": EXEC_CHANNELS_SID, "Effect": "Allow", "Action": list(EXEC_ACTIONS), "Resource": "*"}


class ContainerService(ServiceComponent):
    kind = "container"

    def __init__(self, service: str, args: ContainerServiceArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:ContainerService", service, core)
        plan = args.plan(service, core)
        names = self.names = plan.names
        self.plan = plan
        self.add_tables(args.tables)
        network = stack_network(core)
        cluster = shared_cluster(core)
        self.repository = aws.ecr.Repository(
            f"{service}-repository", name=names.repository, image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": core.key.arn}],
            force_delete=not plan.deletion_protection, tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=plan.deletion_protection))
        aws.ecr.LifecyclePolicy(f"{service}-repository-expiry", repository=self.repository.name,
                                policy=json.dumps({"rules": [{
                                    "rulePriority": 1, "description": "keep the 20 most recent images",
                                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                                  "countNumber": 20},
                                    "action": {"type": "expire"}}]}), opts=self.child)
        self.log_group = aws.cloudwatch.LogGroup(
            f"{service}-container-logs", name=names.log_group, retention_in_days=self.settings.log_retention_days,
            kms_key_id=core.key.arn, tags=self.tags, opts=self.child)
        core.log_shipping.register(LogGroupRegistration(service=service, part="container", name=names.log_group,
                                                        log_group=self.log_group, owner=self))
        self._security_groups(plan, network)
        self._load_balancer(plan, network)
        self.discovery = aws.servicediscovery.Service(
            f"{service}-discovery", name=names.discovery_service,
            dns_config={"namespace_id": network.namespace.id, "routing_policy": "MULTIVALUE",
                        "dns_records": [{"ttl": 10, "type": "A"}]},
            description=f"{service}: tasks by name in the VPC", tags=self.tags, opts=self.child)
        task_access = merge([*args.access, *(table.access() for table in self.tables.values())])
        self._roles(plan, task_access)
        pins = read_pins(REPO_ROOT, self.settings.stack)
        self.pin: ImagePin | None = usable_pin(pins, service, names.repository)
        outputs: dict[str, pulumi.Input[Any]] = {
            "url": self.load_balancer.dns_name.apply(lambda dns: f"{plan.scheme}://{dns}"),
            "repositoryUrl": self.repository.repository_url, "cluster": cluster.name, "ecsService": names.service,
            "imageContext": args.image.context, "imageDockerfile": args.image.dockerfile,
            "discoveryName": f"{names.discovery_service}.{namespace_name(self.settings.project, self.settings.stack)}"}
        refuse = self.pin is None and deploy_mode() == "deploy"
        if not refuse:
            if self.pin is None:
                pulumi.log.warn(f"service '{service}': no image pinned for stack '{self.settings.stack}' in "
                                f"images/{self.settings.stack}.json; the preview shows the placeholder "
                                f"'{image_reference('<repository>', None)}'. Run `make images "
                                f"STACK={self.settings.stack}` before `pulumi up`.")
            image = self.repository.repository_url.apply(lambda url: image_reference(url, self.pin))
            outputs["image"] = image
            self._workload(plan, network, cluster, task_access, image)
        core.trace(names.service)
        self.publish(ServiceView(
            service=service, stack=self.settings.stack, region=self.settings.region,
            account_id=core.account.account_id,
            load_balancers=(LoadBalancerRef(
                load_balancer_name=names.load_balancer, target_group_name=names.target_group,
                load_balancer_dimension=DeployTimeValue(f"{names.load_balancer}:arnSuffix",
                                                        self.load_balancer.arn_suffix),
                target_group_dimension=DeployTimeValue(f"{names.target_group}:arnSuffix",
                                                       self.target_group.arn_suffix),
                access_log_bucket=self.access_log_bucket_name, part="alb"),),
            ecs_services=(EcsServiceRef(cluster_name=cluster.name, service_name=names.service,
                                        log_group_name=names.log_group, desired_count=plan.desired_count,
                                        part="app"),)),
            outputs=outputs)
        if refuse:
            # Raised after every other resource of the service is registered: the SDK waits for those
            # registrations (the repository included) before it reports the error, so `make images` can push.
            raise UnpinnedImageError(
                f"service '{service}': no image is pinned for stack '{self.settings.stack}' "
                f"(images/{self.settings.stack}.json has no digest pushed to {names.repository}), so its tasks are "
                f"not deployed. Once this update has created the repository {core.account.account_id}.dkr.ecr."
                f"{self.settings.region}.amazonaws.com/{names.repository}, run `make images "
                f"STACK={self.settings.stack}`, then `pulumi up` again.")

    # -- network edges ----------------------------------------------------------------------------
    def _security_groups(self, plan: ContainerPlan, network: StackNetwork) -> None:
        names, service = plan.names, self.service
        self.load_balancer_group = aws.ec2.SecurityGroup(
            f"{service}-alb-sg", name=names.load_balancer_security_group, vpc_id=network.vpc_id,
            description=f"{service}: the load balancer's listeners, open to the world",
            tags={**self.tags, "Name": names.load_balancer_security_group}, opts=self.child)
        self.task_group = aws.ec2.SecurityGroup(
            f"{service}-tasks-sg", name=names.task_security_group, vpc_id=network.vpc_id,
            description=f"{service}: the tasks, reached only from the load balancer",
            tags={**self.tags, "Name": names.task_security_group}, opts=self.child)
        for index, rule in enumerate(plan.load_balancer_ingress):
            self._ingress(f"{service}-alb-in-{index}", self.load_balancer_group, rule)
        for index, rule in enumerate(plan.task_ingress):
            self._ingress(f"{service}-tasks-in-{index}", self.task_group, rule)
        aws.vpc.SecurityGroupEgressRule(
            f"{service}-alb-to-tasks", security_group_id=self.load_balancer_group.id,
            referenced_security_group_id=self.task_group.id, ip_protocol="tcp", from_port=plan.task.port,
            to_port=plan.task.port, description="to the tasks' port only", opts=self.child)
        aws.vpc.SecurityGroupEgressRule(
            f"{service}-tasks-out-https", security_group_id=self.task_group.id, cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp", from_port=443, to_port=443,
            description="AWS APIs through NAT: ECR, CloudWatch Logs, X-Ray, DynamoDB", opts=self.child)

    def _ingress(self, logical: str, group: aws.ec2.SecurityGroup, rule: IngressRule) -> None:
        aws.vpc.SecurityGroupIngressRule(
            logical, security_group_id=group.id, ip_protocol="tcp", from_port=rule.port, to_port=rule.port,
            cidr_ipv4=rule.cidr, cidr_ipv6=rule.ipv6_cidr,
            referenced_security_group_id=self.load_balancer_group.id if rule.from_load_balancer else None,
            description=rule.description, opts=self.child)

    def _load_balancer(self, plan: ContainerPlan, network: StackNetwork) -> None:
        names, service, core = plan.names, self.service, self.core
        self.access_log_bucket_name = bucket_name(core, service, "alb-logs")
        elb_account = aws.elb.get_service_account(region=self.settings.region).arn
        bucket = private_bucket(
            f"{service}-alb-logs", self.access_log_bucket_name, core, service, self, encryption="s3",
            expire_days=self.settings.log_retention_days,
            extra_policy=[load_balancer_log_statement(elb_account, self.access_log_bucket_name, names.load_balancer,
                                                      core.account.account_id)])
        self.load_balancer = aws.lb.LoadBalancer(
            f"{service}-alb", name=names.load_balancer, load_balancer_type="application", internal=False,
            security_groups=[self.load_balancer_group.id], subnets=network.public_subnet_ids,
            drop_invalid_header_fields=True, enable_deletion_protection=plan.deletion_protection,
            access_logs={"bucket": bucket.bucket, "prefix": names.load_balancer, "enabled": True},
            tags=self.tags, opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket]))
        check = plan.health_check
        self.target_group = aws.lb.TargetGroup(
            f"{service}-tg", name=names.target_group, port=plan.task.port, protocol="HTTP", target_type="ip",
            vpc_id=network.vpc_id, deregistration_delay=plan.deregistration_delay_seconds,
            health_check={"enabled": True, "path": check.path, "protocol": "HTTP", "port": "traffic-port",
                          "interval": check.interval_seconds, "timeout": check.timeout_seconds,
                          "healthy_threshold": check.healthy_threshold,
                          "unhealthy_threshold": check.unhealthy_threshold, "matcher": check.matcher},
            tags=self.tags, opts=self.child)
        self.listeners = []
        for listener in plan.listeners:
            if listener.redirect_to_https:
                action = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                                           "status_code": "HTTP_301"}}
            else:
                action = {"type": "forward", "target_group_arn": self.target_group.arn}
            self.listeners.append(aws.lb.Listener(
                f"{service}-listener-{listener.port}", load_balancer_arn=self.load_balancer.arn, port=listener.port,
                protocol=listener.protocol, certificate_arn=listener.certificate_arn,
                ssl_policy=SSL_POLICY if listener.protocol == "HTTPS" else None,
                default_actions=[action], tags=self.tags, opts=self.child))

    # -- identities ---------------------------------------------------------------------------------
    def _roles(self, plan: ContainerPlan, task_access: Access) -> None:
        names, service, core = plan.names, self.service, self.core
        assume = iam.assume_role_policy("ecs-tasks.amazonaws.com")
        self.execution_role = aws.iam.Role(f"{service}-task-exec-role", name=names.execution_role,
                                           assume_role_policy=assume, tags=self.tags, opts=self.child)
        self.execution_policy = aws.iam.RolePolicy(
            f"{service}-task-exec-policy", role=self.execution_role.id,
            policy=self.repository.arn.apply(lambda arn: iam.document(
                execution_statements(core.account, arn, names.log_group))), opts=self.child)
        self.task_role = aws.iam.Role(f"{service}-task-role", name=names.task_role, assume_role_policy=assume,
                                      tags=self.tags, opts=self.child)
        extra: list[pulumi.Input[dict]] = list(task_access.statements)
        if task_access.key_services:
            extra.append(key_statement(core.account, core.key.arn, task_access.key_services))
        base = [iam.write_traces(), *([exec_statement()] if plan.exec_enabled else [])]
        self.task_policy = aws.iam.RolePolicy(
            f"{service}-task-policy", role=self.task_role.id,
            policy=pulumi.Output.all(*extra).apply(lambda more: iam.document([*base, *more])), opts=self.child)

    # -- what runs the image --------------------------------------------------------------------------
    def _workload(self, plan: ContainerPlan, network: StackNetwork, cluster: SharedCluster, task_access: Access,
                  image: pulumi.Output[str]) -> None:
        names, service = plan.names, self.service
        environment = dict(task_access.environment)

        def definitions(values: list[Any]) -> str:
            image_text, *resolved = values
            task = plan.task
            extra = dict(zip(environment, resolved))
            with_access = replace(task, environment={**task.environment, **extra})
            return with_access.container_definitions_json(image_text)

        self.task_definition = aws.ecs.TaskDefinition(
            f"{service}-task", family=names.task_family, cpu=str(plan.task.cpu), memory=str(plan.task.memory_mb),
            network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "ARM64"},
            execution_role_arn=self.execution_role.arn, task_role_arn=self.task_role.arn,
            container_definitions=pulumi.Output.all(image, *environment.values()).apply(definitions),
            volumes=plan.task.volumes(), tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group, self.execution_policy]))
        self.ecs_service = aws.ecs.Service(
            f"{service}-service", name=names.service, cluster=cluster.cluster.arn,
            task_definition=self.task_definition.arn, desired_count=plan.desired_count, launch_type="FARGATE",
            network_configuration={"subnets": network.private_subnet_ids, "security_groups": [self.task_group.id],
                                   "assign_public_ip": False},
            load_balancers=[{"target_group_arn": self.target_group.arn, "container_name": APP_CONTAINER,
                             "container_port": plan.task.port}],
            service_registries={"registry_arn": self.discovery.arn},
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=100, deployment_maximum_percent=200,
            health_check_grace_period_seconds=HEALTH_CHECK_GRACE_SECONDS,
            enable_execute_command=plan.exec_enabled, propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            wait_for_steady_state=False, tags=self.tags,
            # Scaling owns the running count after the first deploy; a redeploy must not reset it.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.listeners, self.task_policy],
                                        ignore_changes=["desiredCount"]))
        scaling = plan.scaling
        target = aws.appautoscaling.Target(
            f"{service}-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster.name, "/", self.ecs_service.name),
            min_capacity=scaling.min_count, max_capacity=scaling.max_count, tags=self.tags, opts=self.child)
        common = {"service_namespace": target.service_namespace, "scalable_dimension": target.scalable_dimension,
                  "resource_id": target.resource_id, "policy_type": "TargetTrackingScaling"}
        cooldowns = {"scale_in_cooldown": scaling.scale_in_cooldown_seconds,
                     "scale_out_cooldown": scaling.scale_out_cooldown_seconds}
        aws.appautoscaling.Policy(
            f"{service}-scale-cpu", name=f"{names.service}-cpu", **common,
            target_tracking_scaling_policy_configuration={
                "target_value": scaling.cpu_target_pct, **cooldowns,
                "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}},
            opts=self.child)
        aws.appautoscaling.Policy(
            f"{service}-scale-requests", name=f"{names.service}-requests", **common,
            target_tracking_scaling_policy_configuration={
                "target_value": scaling.requests_per_target, **cooldowns,
                "predefined_metric_specification": {
                    "predefined_metric_type": "ALBRequestCountPerTarget",
                    "resource_label": pulumi.Output.concat(self.load_balancer.arn_suffix, "/",
                                                           self.target_group.arn_suffix)}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.listeners))
