"""The seam between log groups and log shipping.

Every component registers each log group it creates here. Shipping is filled in by whoever attaches
a sink (the OpenSearch logging component); until then registrations are only recorded. A sink
attached late still receives every earlier registration, so the order in `__main__.py` cannot
leave a log group unshipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class LogGroupRegistration:
    service: str
    part: str
    name: str                      # physical log group name
    log_group: aws.cloudwatch.LogGroup
    owner: pulumi.Resource          # the component that owns the group; subscriptions are its children
    ship: bool = True
    reason: str = ""               # why a group is not shipped, e.g. the shipper's own logs

    @property
    def logical_prefix(self) -> str:
        return f"{self.owner._name}-{self.part}"  # type: ignore[attr-defined]


class LogShippingSink(Protocol):
    def subscribe(self, registration: LogGroupRegistration) -> None: ...


class LogShippingHook:
    def __init__(self) -> None:
        self.registrations: list[LogGroupRegistration] = []
        self._sink: LogShippingSink | None = None

    def register(self, registration: LogGroupRegistration) -> None:
        if any(r.name == registration.name for r in self.registrations):
            raise ValueError(f"log group {registration.name} is registered twice")
        self.registrations.append(registration)
        if self._sink is not None and registration.ship:
            self._sink.subscribe(registration)

    def attach(self, sink: LogShippingSink) -> None:
        if self._sink is not None:
            raise ValueError("a log shipping sink is already attached to this stack")
        self._sink = sink
        for registration in self.registrations:
            if registration.ship:
                sink.subscribe(registration)

    @property
    def attached(self) -> bool:
        return self._sink is not None
