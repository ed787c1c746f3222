"""`InternalFunction`: a function other services call directly, with no API in front (the Internal API).

Callers get `invoke_access`: the function's name in their environment and `lambda:InvokeFunction`
on this function only. Invoked synchronously, the caller sees its errors; invoked asynchronously
(the Internal Handoff), give it `async_invocation` so every event that fails for good is kept.
"""
from __future__ import annotations

from dataclasses import dataclass

from components.core import PlatformCore
from components.observability.refs import ServiceView
from components.services.access import Access
from components.services.function import AsyncInvocation, FunctionArgs, Reservation
from components.services.own_function import OwnFunction
from components.services.service import ServiceArgs, ServiceComponent


@dataclass(frozen=True, kw_only=True)
class InternalFunctionArgs(OwnFunction, ServiceArgs["InternalFunction"]):
    #: None: the profile's lambdaTimeoutSeconds (it answers callers, like an API's function).
    timeout_seconds: int | None = None
    reserved_concurrency: Reservation = "profile"
    low_traffic: bool = False
    async_invocation: AsyncInvocation | None = None

    def function_args(self, core: PlatformCore) -> FunctionArgs:
        return self.own_function(core, timeout_seconds=self.timeout_seconds,
                                 reserved_concurrency=self.reserved_concurrency, low_traffic=self.low_traffic,
                                 async_invocation=self.async_invocation)

    def problems(self, core: PlatformCore) -> list[str]:
        return self.function_args(core).problems()

    def build(self, service: str, core: PlatformCore) -> InternalFunction:
        return InternalFunction(service, self, core)


class InternalFunction(ServiceComponent):
    kind = "internal-function"

    def __init__(self, service: str, args: InternalFunctionArgs, core: PlatformCore) -> None:
        super().__init__("platform:services:InternalFunction", service, core)
        self.add_tables(args.tables, idempotency=args.idempotency)
        self.function = self.add_function("function", args.function_args(core))
        self.publish(ServiceView(service=service, stack=self.settings.stack, region=self.settings.region,
                                 account_id=core.account.account_id),
                     outputs={"functionName": self.function.function_name})

    def invoke_access(self, env_var: str) -> Access:
        return self.function.invoke_access(env_var)
