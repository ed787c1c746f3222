"""Pure planning for container services: Fargate sizes, ports, health checks, names, task and listeners.

Everything a `ContainerService` emits is decided here first, as plain data, so the rules Fargate,
Elastic Load Balancing and ECS enforce only at deploy time (CPU and memory pairs, health-check
paths, name lengths, which listener a stack may have) are checked before anything is registered,
and the component that emits resources stays a thin translation of this plan.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from components.naming import Namer

#: Fargate task sizes: CPU units -> the memory (MiB) each allows ("Task CPU and memory", Amazon ECS
#: Developer Guide). Any other pair is refused by RegisterTaskDefinition.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

APP_CONTAINER = "app"
COLLECTOR_CONTAINER = "otel-collector"
#: What the ADOT collector listens on inside the task: OTLP gRPC and HTTP, X-Ray UDP, health.
COLLECTOR_PORTS = (4317, 4318, 2000, 13133)
COLLECTOR_OTLP_ENDPOINT = "http://127.0.0.1:4318"
#: The collector's bundled configuration that receives OTLP (and X-Ray UDP) and exports to X-Ray.
COLLECTOR_CONFIG = "/etc/ecs/ecs-xray.yaml"
COLLECTOR_MEMORY_RESERVATION_MB = 64
HTTPS_PORT, HTTP_PORT = 443, 80
#: TLS 1.3 with 1.2 fallback, forward secrecy only (Elastic Load Balancing security policies).
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
MAX_HEALTH_CHECK_PATH = 1024
_HEALTH_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$")
#: Variables the platform sets in every task; a service may not override them.
RESERVED_ENVIRONMENT = ("SERVICE_NAME", "ENVIRONMENT", "METRICS_NAMESPACE", "LOG_LEVEL", "PORT",
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "TELEMETRY_EXPORTER")


def fargate_size_problem(cpu: int, memory_mb: int) -> str | None:
    """Why Fargate would refuse this pair, or None."""
    choices = FARGATE_MEMORY.get(cpu)
    if choices is None:
        return f"Fargate CPU is one of {', '.join(map(str, FARGATE_MEMORY))} units"
    if memory_mb in choices:
        return None
    if len(choices) <= 4:
        return f"Fargate allows {cpu} CPU units with {', '.join(map(str, choices))} MiB"
    return (f"Fargate allows {cpu} CPU units with {choices[0]} to {choices[-1]} MiB in steps of "
            f"{choices[1] - choices[0]}")


def health_check_path_problem(path: str) -> str | None:
    if not path.startswith("/"):
        return "must start with '/', e.g. /health"
    if len(path) > MAX_HEALTH_CHECK_PATH or not _HEALTH_PATH.fullmatch(path):
        return f"a URL path of at most {MAX_HEALTH_CHECK_PATH} characters without spaces or a query"
    return None


def certificate_problem(arn: str) -> str | None:
    return None if _CERTIFICATE_ARN.fullmatch(arn) else "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"


@dataclass(frozen=True)
class Names:
    """Physical names of one container service; ALB and target-group names allow 32 characters."""

    cluster: str
    service: str
    load_balancer: str
    target_group: str
    repository: str
    log_group: str
    task_family: str
    task_role: str
    execution_role: str
    load_balancer_security_group: str
    task_security_group: str
    discovery_service: str

    @classmethod
    def of(cls, namer: Namer, service: str) -> "Names":
        return cls(cluster=namer.stack_wide("containers", "ecs_cluster"),
                   service=namer.physical(service, "app", "ecs_service"),
                   load_balancer=namer.physical(service, "alb", "load_balancer"),
                   target_group=namer.physical(service, "tg", "target_group"),
                   repository=namer.physical(service, "app", "ecr_repository"),
                   log_group=namer.log_group(service, "container"),
                   task_family=namer.physical(service, "app", "ecs_service"),
                   task_role=namer.physical(service, "task", "iam_role"),
                   execution_role=namer.physical(service, "task-exec", "iam_role"),
                   load_balancer_security_group=namer.physical(service, "alb", "security_group"),
                   task_security_group=namer.physical(service, "tasks", "security_group"),
                   discovery_service=service)


@dataclass(frozen=True)
class Listener:
    """One listener of the load balancer: HTTPS with the certificate, or HTTP (forwarding or redirecting)."""

    port: int
    protocol: str
    certificate_arn: str | None = None
    redirect_to_https: bool = False


def listeners(certificate_arn: str | None) -> tuple[Listener, ...]:
    """HTTPS when there is a certificate (HTTP only redirects to it), else plain HTTP."""
    if certificate_arn:
        return (Listener(HTTPS_PORT, "HTTPS", certificate_arn),
                Listener(HTTP_PORT, "HTTP", redirect_to_https=True))
    return (Listener(HTTP_PORT, "HTTP"),)


@dataclass(frozen=True)
class IngressRule:
    """Who may open connections to a security group: the world (a CIDR) or another group."""

    port: int
    description: str
    cidr: str | None = None
    ipv6_cidr: str | None = None
    from_load_balancer: bool = False


def load_balancer_ingress(listener_set: Sequence[Listener]) -> list[IngressRule]:
    """The listeners, and only the listeners, are open to the world."""
    rules = []
    for listener in listener_set:
        rules.append(IngressRule(listener.port, f"{listener.protocol} from anywhere (IPv4)", cidr="0.0.0.0/0"))
        rules.append(IngressRule(listener.port, f"{listener.protocol} from anywhere (IPv6)", ipv6_cidr="::/0"))
    return rules


def task_ingress(port: int) -> list[IngressRule]:
    """Only the load balancer reaches the tasks, on the app's port."""
    return [IngressRule(port, "the app's port, from the service's load balancer only", from_load_balancer=True)]


@dataclass(frozen=True)
class HealthCheck:
    path: str
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str = "200-299"


@dataclass(frozen=True)
class Scaling:
    min_count: int
    max_count: int
    cpu_target_pct: int
    requests_per_target: int
    #: Scale in slowly, out quickly: a burst must not be answered by tasks that are still starting.
    scale_in_cooldown_seconds: int = 300
    scale_out_cooldown_seconds: int = 60


@dataclass(frozen=True)
class TaskPlan:
    """What goes into the task definition, except the image (its digest is known only after a push)."""

    cpu: int
    memory_mb: int
    port: int
    environment: Mapping[str, str]
    collector_image: str
    log_group: str
    region: str
    service: str
    read_only_root_filesystem: bool = True
    writable_paths: tuple[str, ...] = ("/tmp",)
    command: tuple[str, ...] | None = None
    health_check_path: str = "/health"

    @staticmethod
    def volume_name(path: str) -> str:
        return "scratch" + re.sub(r"[^a-z0-9]+", "-", path.lower()).rstrip("-")

    def volumes(self) -> list[dict[str, str]]:
        """Fargate bind mounts (task ephemeral storage) for the paths a read-only root still writes to."""
        return [{"name": self.volume_name(path)} for path in self.writable_paths]

    def _log_configuration(self, stream_prefix: str) -> dict[str, Any]:
        return {"logDriver": "awslogs", "options": {"awslogs-group": self.log_group, "awslogs-region": self.region,
                                                     "awslogs-stream-prefix": stream_prefix,
                                                     "mode": "non-blocking", "max-buffer-size": "4m"}}

    def container_definitions(self, image: str) -> list[dict[str, Any]]:
        """The app and its tracing sidecar; both log through awslogs to the service's log group.

        The app starts only once the collector runs, so no span of its first requests is lost; the
        collector is not essential, so a collector crash degrades tracing instead of stopping the app.
        """
        environment = {**self.environment, "PORT": str(self.port),
                       "OTEL_EXPORTER_OTLP_ENDPOINT": COLLECTOR_OTLP_ENDPOINT, "OTEL_SERVICE_NAME": self.service}
        app: dict[str, Any] = {
            "name": APP_CONTAINER,
            "image": image,
            "essential": True,
            "portMappings": [{"containerPort": self.port, "protocol": "tcp", "name": "http", "appProtocol": "http"}],
            "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
            "readonlyRootFilesystem": self.read_only_root_filesystem,
            "mountPoints": [{"sourceVolume": self.volume_name(p), "containerPath": p, "readOnly": False}
                            for p in self.writable_paths],
            "logConfiguration": self._log_configuration(APP_CONTAINER),
            "dependsOn": [{"containerName": COLLECTOR_CONTAINER, "condition": "START"}],
            "stopTimeout": 30,
            "user": "10001",
        }
        if self.command:
            app["command"] = list(self.command)
        collector = {
            "name": COLLECTOR_CONTAINER,
            "image": self.collector_image,
            "essential": False,
            "command": [f"--config={COLLECTOR_CONFIG}"],
            "memoryReservation": COLLECTOR_MEMORY_RESERVATION_MB,
            "readonlyRootFilesystem": True,
            "logConfiguration": self._log_configuration(COLLECTOR_CONTAINER),
            "healthCheck": {"command": ["/healthcheck"], "interval": 30, "timeout": 5, "retries": 3,
                            "startPeriod": 10},
        }
        return [app, collector]

    def container_definitions_json(self, image: str) -> str:
        return json.dumps(self.container_definitions(image), sort_keys=True)


@dataclass(frozen=True)
class ContainerPlan:
    names: Names
    task: TaskPlan
    health_check: HealthCheck
    scaling: Scaling
    desired_count: int
    deregistration_delay_seconds: int
    listeners: tuple[Listener, ...]
    exec_enabled: bool
    deletion_protection: bool
    load_balancer_ingress: tuple[IngressRule, ...] = field(default=())
    task_ingress: tuple[IngressRule, ...] = field(default=())

    @property
    def https(self) -> bool:
        return any(listener.protocol == "HTTPS" for listener in self.listeners)

    @property
    def public_port(self) -> int:
        return self.listeners[0].port

    @property
    def scheme(self) -> str:
        return "https" if self.https else "http"
