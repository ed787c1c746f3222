"""The facade `__main__.py` talks to: settings, the core, then services, then stack-wide views.

Keeping this order in one place is what lets a new microservice be a few lines: it always finds
a core to attach to, and it always ends up in the overview and the outputs. The stack-wide parts
read every service through the one service model (`components/services/service.py`), so they
never name a kind.
"""
from __future__ import annotations

from typing import TypeVar

import pulumi

from components import lifecycle
from components.auditing import AuditArgs
from components.auditing_plan import AUDIT_SERVICE
from components.capacity import check_reservations
from components.core import PlatformCore
from components.logging.central_logging import CentralLogging
from components.observability.dashboard.overview_pages import overview_pages
from components.resources.dashboards import emit_dashboard
from components.services.http_service import HttpService, HttpServiceArgs
from components.services.service import ServiceArgs, ServiceArgumentError, ServiceComponent
from components.settings import Settings, settings_from_pulumi, settings_warnings

S = TypeVar("S", bound=ServiceComponent)


class Platform:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or settings_from_pulumi()
        for warning in settings_warnings(self.settings):
            pulumi.log.warn(warning)
        lifecycle.register(protect_data=self.settings.protection.deletion_protection)
        self.core = PlatformCore(f"{self.settings.project}-core", self.settings)
        self.logging = CentralLogging(f"{self.settings.project}-logging", self.core)
        self.services: list[ServiceComponent] = []
        if self.settings.security.audit:
            self.add(AUDIT_SERVICE, AuditArgs())

    def add(self, name: str, args: ServiceArgs[S]) -> S:
        """Declares one microservice of any kind; its arguments are checked before anything is created."""
        if any(existing.service == name for existing in self.services):
            raise ValueError(f"service {name!r} is declared twice")
        problems = args.problems(self.core)
        if problems:
            raise ServiceArgumentError(name, problems)
        service = args.build(name, self.core)
        self.services.append(service)
        return service

    def http_service(self, name: str, args: HttpServiceArgs) -> HttpService:
        return self.add(name, args)

    def finish(self) -> None:
        """The stack overview and outputs; call once, after every service is declared."""
        for warning in check_reservations(self.settings.stack, {f.function_name: f.reserved_concurrency
                                                                for f in self.core.functions},
                                          self.settings.lambda_concurrency_quota):
            pulumi.log.warn(warning)
        self.core.finish()
        services = self.services
        pages = overview_pages([s.view for s in services], [s.health_alarm_arn for s in services],
                               self.logging.opensearch_ref, self.logging.shipping_ref,
                               [self.logging.health_alarm_arn], region=self.settings.region,
                               stack=self.settings.stack)
        names = []
        for number, body in enumerate(pages, start=1):
            suffix = "" if number == 1 else f"-{number}"
            names.append(self.core.namer.stack_wide(f"overview{suffix}", "dashboard"))
            emit_dashboard(f"{self.settings.project}-overview{suffix}", names[-1], body, self.core)
        pulumi.export("overviewDashboards", names)
        pulumi.export("opensearchDashboardsUrl", self.logging.dashboards_url)
        pulumi.export("indexPatterns", self.logging.index_patterns)
        pulumi.export("environment", self.settings.environment)
        pulumi.export("alarmTopics", {s.value: arn for s, arn in self.core.alarm_topics.items()})
        pulumi.export("xrayGroup", self.core.xray_group_name)
        pulumi.export("services", {s.service: s.outputs for s in services})
