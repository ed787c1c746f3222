"""Deterministic physical names.

Names carry no random suffix, so a dashboard generated offline is the one `pulumi up` deploys and
log-group and index names can be predicted by the shipper. When a name would exceed an AWS limit
it is shortened to a prefix plus a short hash of the full name: stable, and still unique.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

#: Length limits of the physical names the platform creates.
LIMITS: dict[str, int] = {
    "lambda": 64,
    "iam_role": 64,
    "iam_policy": 128,
    "dynamodb_table": 255,
    "sqs_queue": 80,
    "sns_topic": 256,
    "log_group": 512,
    "alarm": 255,
    "dashboard": 255,
    "rest_api": 1024,
    "kms_alias": 256,
    "xray_group": 32,
    "xray_sampling_rule": 32,
    "opensearch_domain": 28,
    "kinesis_stream": 128,
    "s3_bucket": 63,
    "lambda_layer": 64,
    "event_bus": 256,
    "event_rule": 64,
    "schedule": 64,
    "state_machine": 80,
    "firehose": 64,
    "waf_web_acl": 128,
    "cloudtrail": 128,
    "config_rule": 128,
    "secret": 512,
    "ecs_cluster": 255,
    "ecs_service": 255,
    "load_balancer": 32,
    "target_group": 32,
    "ecr_repository": 256,
    "security_group": 255,
    "cloud_map_namespace": 1024,
}

_PART = re.compile(r"[a-z][a-z0-9-]*")


def is_name_part(value: str) -> bool:
    """Whether a project, stack, service or part name can go into every physical name (whole-string match:
    `$` would let a trailing newline through)."""
    return _PART.fullmatch(value) is not None


def _whose(service: str, part: str) -> str:
    return f"service {service!r} (part {part!r})" if service else f"the stack (part {part!r})"


class NameCollisionError(ValueError):
    """Two services (or a service and the stack) would give one resource name: `a` + `b-c` and `a-b` + `c`."""


def shorten(name: str, limit: int) -> str:
    """Keeps names within `limit`, replacing the tail by a hash so two long names never collide."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-')}-{digest}"


@dataclass(frozen=True)
class Namer:
    project: str
    stack: str
    #: Every name given so far, per kind, and to whom (service, part): AWS would refuse the second resource.
    _given: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict, init=False, repr=False,
                                                           compare=False)

    def __post_init__(self) -> None:
        for value in (self.project, self.stack):
            if not is_name_part(value):
                raise ValueError(f"project and stack names must be lowercase letters, digits and '-', got {value!r}")

    @property
    def prefix(self) -> str:
        return f"{self.project}-{self.stack}"

    def physical(self, service: str, part: str, kind: str) -> str:
        """`<project>-<stack>-<service>-<part>`, within the limit of `kind`."""
        for value in (service, part):
            if not is_name_part(value):
                raise ValueError(f"service and part names must be lowercase letters, digits and '-', got {value!r}")
        return self._give(shorten(f"{self.prefix}-{service}-{part}", LIMITS[kind]), kind, service, part)

    def stack_wide(self, part: str, kind: str) -> str:
        """Names of stack-wide resources, such as the alarm topics: `<project>-<stack>-<part>`."""
        return self._give(shorten(f"{self.prefix}-{part}", LIMITS[kind]), kind, "", part)

    def _give(self, name: str, kind: str, service: str, part: str) -> str:
        owner = self._given.setdefault((kind, name), (service, part))
        if owner != (service, part):
            raise NameCollisionError(f"{_whose(service, part)} would name a {kind} {name!r}, which "
                                     f"{_whose(*owner)} already has; rename one of the two services")
        return name

    def log_group(self, service: str, part: str) -> str:
        """`/<project>/<stack>/<service>/<part>`: the shipper reads the service back out of it."""
        return shorten(f"/{self.project}/{self.stack}/{service}/{part}", LIMITS["log_group"])

    @property
    def log_group_prefix(self) -> str:
        return f"/{self.project}/{self.stack}/"

    def log_index_prefix(self) -> str:
        return f"logs-{self.stack}"

    def trace_index_prefix(self) -> str:
        return f"otel-v1-apm-span-{self.stack}"

    def metrics_namespace(self) -> str:
        return f"{self.project}/{self.stack}"
