"""`HttpService`: a REST API in front of a Lambda function and its tables, observed by default.

Routes go to the service's function unless they say otherwise: `QueueRoute` and `StreamRoute` send
the body straight to a queue or stream (the Scalable Webhook and the Streamer), `ProxyRoute` to a
legacy backend (the Strangler). An optional Lambda authorizer (the Gatekeeper) and usage plans with
API keys protect the routes. Names, policies, alarms and dashboards come from pure builders.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from components.core import PlatformCore
from components.observability.refs import ServiceView
from components.resources.tables import TableSpec
from components.services.access import Access
from components.services.function import FunctionArgs
from components.services.http_plan import Route
from components.services.rest_api import (AUTHORIZER_CACHE_SECONDS, MAX_AUTHORIZER_CACHE_SECONDS, STAGE_NAME,
                                          RestApiFront, UsagePlan, route_problems)
from components.services.service import ServiceArgs, ServiceComponent

__all__ = ["HttpService", "HttpServiceArgs", "Route", "STAGE_NAME", "TableSpec", "UsagePlan"]


@dataclass(frozen=True)
class HttpServiceArgs(ServiceArgs["HttpService"]):
    routes: Sequence[Route]
    handler: str | None = None              # None: every route goes to a queue, stream or legacy backend
    table: TableSpec | None = None
    tables: Sequence[TableSpec] = ()        # more tables, each with its own part and env var
    environment: Mapping[str, str] = field(default_factory=dict)
    access: Sequence[Access] = ()
    description: str = ""
    memory_mb: int | None = None
    timeout_seconds: int | None = None
    #: The Gatekeeper: a Lambda authorizer for the routes whose auth is "default" or "authorizer". It checks
    #: tokens, so it gets none of the service's tables (nor its idempotency table) unless `tables` names them.
    authorizer: FunctionArgs | None = None
    authorizer_cache_seconds: int = AUTHORIZER_CACHE_SECONDS
    usage_plan: UsagePlan | None = None
    #: An idempotency table for the handler (`IDEMPOTENCY_TABLE`), e.g. for the Idempotency-Key header.
    idempotency: bool = False

    @property
    def all_tables(self) -> list[TableSpec]:
        return [*([self.table] if self.table else []), *self.tables]

    def function_args(self) -> FunctionArgs | None:
        if self.handler is None:
            return None
        return FunctionArgs(handler=self.handler, description=self.description, environment=self.environment,
                            access=self.access, memory_mb=self.memory_mb, timeout_seconds=self.timeout_seconds)

    def problems(self, core: PlatformCore) -> list[str]:
        found = route_problems(self.routes, has_function=self.handler is not None,
                               has_authorizer=self.authorizer is not None, usage_plan=self.usage_plan)
        function = self.function_args()
        if function is not None:
            found += function.problems()
            if function.timeout(core) > 29:
                found.append(f"timeout_seconds = {function.timeout(core)}: API Gateway stops waiting at 29 s")
        if self.authorizer is not None:
            found += self.authorizer.problems("authorizer.", service_tables=[t.part for t in self.all_tables])
        if not 0 <= self.authorizer_cache_seconds <= MAX_AUTHORIZER_CACHE_SECONDS:
            found.append(f"authorizer_cache_seconds = {self.authorizer_cache_seconds}: API Gateway allows 0 to "
                         f"{MAX_AUTHORIZER_CACHE_SECONDS}")
        if self.usage_plan is not None:
            found += self.usage_plan.problems()
        parts = [t.part for t in self.all_tables]
        if len(parts) != len(set(parts)):
            found.append(f"tables: parts {parts} must be distinct")
        return found

    def build(self, service: str, core: PlatformCore) -> HttpService:
        return HttpService(service, self, core)


class HttpService(ServiceComponent):
    kind = "http"

    def __init__(self, service: str, args: HttpServiceArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:HttpService", service, core)
        self.add_tables(args.all_tables, idempotency=args.idempotency)
        function_args = args.function_args()
        self.function = self.add_function("api", function_args) if function_args else None
        authorizer = None
        if args.authorizer is not None:
            gatekeeper = replace(args.authorizer, tables=args.authorizer.tables or ())
            authorizer = self.add_function("authorizer", gatekeeper, idempotency=False, low_traffic=True,
                                           description=args.authorizer.description or f"{service} API gatekeeper")
        self.front = RestApiFront(self, args.routes, description=args.description or f"{service} API",
                                  function=self.function, authorizer=authorizer, usage_plan=args.usage_plan,
                                  authorizer_cache_seconds=args.authorizer_cache_seconds)
        self.api_name, self.url = self.front.api_name, self.front.url
        self.access_log_group_name = self.front.access_log_group_name
        self.table = self.tables["table"].table if "table" in self.tables else None
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id, apis=(self.front.ref,)),
                     outputs={"url": self.url, "apiKeyIds": self.front.api_keys} if self.front.api_keys
                     else {"url": self.url})
