"""The one service model every microservice kind follows.

Whatever its kind, a service hands the stack the same things: its alarms and one composite health
alarm, its dashboard (a section per resource), its view (which the overview draws a row from), its
stack outputs, its log groups (through the core's shipping hook) and its traced nodes (through
`core.trace`). `Platform.finish()` reads only this shape, so a new kind needs no change there.

Arguments are checked before anything is registered: `ServiceArgs.problems` lists every problem,
and `Platform.add` raises one `ServiceArgumentError` naming the service and each argument.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, Mapping, Sequence, TypeVar

import pulumi

from components.observability.model import AlarmSpec, Severity
from components.observability.refs import ServiceView
from components.observability.service_alarms import ensure_unique_keys, service_alarms
from components.resources.alarms import EmittedAlarms, emit_alarms, emit_health_alarm
from components.resources.dashboards import emit_dashboard
from components.resources.secrets import stored_secret
from components.resources.tables import OwnedTable, TableSpec, idempotency_table_spec
from components.services.access import Access
from components.services.function import FunctionArgs, FunctionSpec, ObservedFunction
from components.observability.dashboard.service_dashboard import service_dashboard_body

if TYPE_CHECKING:
    from components.core import PlatformCore

S = TypeVar("S", bound="ServiceComponent")
T = TypeVar("T")


def declared(value: T | None, default: T) -> T:
    """The value a service declared, or the profile's default when it declared none.

    Only None means "not declared": a 0 is a value like any other, so its argument check sees it
    (and rejects a zero timeout or batch size) rather than the default silently replacing it.
    """
    return default if value is None else value


class ServiceArgumentError(ValueError):
    """Every problem with one service's arguments, found before any of its resources exists."""

    def __init__(self, service: str, problems: Sequence[str]) -> None:
        self.service = service
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"service '{service}' has invalid arguments ({len(self.problems)}); "
                         f"no resources were created for it:\n{lines}")


class ServiceArgs(Generic[S]):
    """What `__main__.py` declares for one service; each kind's args build that kind's component."""

    def problems(self, core: PlatformCore) -> list[str]:
        """Every invalid argument, as `argument = value: what is allowed`; empty when valid."""
        return []

    def build(self, service: str, core: PlatformCore) -> S:
        raise NotImplementedError


class ServiceComponent(pulumi.ComponentResource):
    """Base of every service kind: builds its functions and tables, then publishes its observability."""

    kind: str = "service"

    def __init__(self, type_token: str, service: str, core: PlatformCore,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        try:
            core.namer.physical(service, "x", "lambda")  # the service name must fit the naming rules
        except ValueError as error:
            raise ServiceArgumentError(service, [f"name = {service!r}: {error}"]) from None
        super().__init__(type_token, service, None, opts)
        self.service = service
        self.core = core
        self.settings = core.settings
        self.tags = core.tags_for(service)
        self.functions: list[ObservedFunction] = []
        self.tables: dict[str, OwnedTable] = {}
        self.idempotency: OwnedTable | None = None

    # -- building blocks ------------------------------------------------------------------------
    @property
    def child(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self)

    def add_function(self, part: str, args: FunctionArgs, *, extra: Sequence[Access] = (), idempotency: bool = True,
                     **overrides: Any) -> ObservedFunction:
        """A function of this service, with its tables and (unless `idempotency` is False) idempotency store."""
        unknown = sorted(set(args.tables or ()) - set(self.tables))
        if unknown:
            raise ValueError(f"service {self.service!r} function {part!r}: tables {unknown} are not the service's "
                             f"({sorted(self.tables)})")
        used = self.tables.values() if args.tables is None else [self.tables[p] for p in args.tables]
        wiring = [*extra, *(table.access() for table in used)]
        if self.idempotency is not None and idempotency:
            wiring.append(self.idempotency.access())
        wiring += [stored_secret(self.core, self.service, name, value, self) for name, value in args.secrets.items()]
        function = ObservedFunction(f"{self.service}-{part}", FunctionSpec.of(self.service, part, args, extra=wiring,
                                                                              **overrides),
                                    self.core, opts=self.child)
        self.functions.append(function)
        return function

    def add_tables(self, specs: Sequence[TableSpec], idempotency: bool = False) -> None:
        """Tables this service owns; create them before the functions that use them."""
        for spec in specs:
            self.tables[spec.part] = OwnedTable(self.service, spec, self.core, self)
        if idempotency:
            self.idempotency = OwnedTable(self.service, idempotency_table_spec(), self.core, self)

    # -- the one shape the stack reads ----------------------------------------------------------
    def publish(self, view: ServiceView, *, extra_alarms: Sequence[AlarmSpec] = (),
                outputs: Mapping[str, pulumi.Input[Any]] | None = None) -> None:
        """The last step of every kind: alarms, health alarm, dashboard and outputs, in one place.

        `view` lists every resource of the service except its functions' and tables' refs, which
        are added here. Function alarms are emitted by each function; everything else here.
        """
        function_queues = tuple(f.failure_queue.ref for f in self.functions if f.failure_queue is not None)
        self.dashboard_name = self.core.namer.physical(self.service, "dashboard", "dashboard")
        self.view = replace(
            view, dashboard_name=self.dashboard_name,
            lambdas=(*(f.ref for f in self.functions), *view.lambdas),
            tables=(*(t.ref for t in self._all_tables()), *view.tables),
            queues=(*view.queues, *function_queues),
            xray_group_name=self.core.xray_group_name)
        specs = [*service_alarms(replace(self.view, lambdas=()), self.settings.alarms), *extra_alarms]
        ensure_unique_keys([*specs, *(spec for f in self.functions for spec in f.alarm_specs)], self.service)
        emitted = emit_alarms(specs, namer=self.core.namer, ctx=self.core.account, service=self.service,
                              topics=self.core.alarm_topics, tags=self.tags, parent=self, logical_prefix=self.service)
        parts = [*(f.alarms for f in self.functions), emitted]
        self.alarms = EmittedAlarms(names=[n for p in parts for n in p.names], arns=[a for p in parts for a in p.arns],
                                    resources=[r for p in parts for r in p.resources])
        self.health_alarm_name, self.health_alarm_arn = emit_health_alarm(
            self.alarms, namer=self.core.namer, ctx=self.core.account, service=self.service,
            stack=self.settings.stack, topic=self.core.alarm_topic_arn(Severity.WARNING), tags=self.tags,
            parent=self, logical_prefix=self.service)
        emit_dashboard(f"{self.service}-dashboard", self.dashboard_name,
                       service_dashboard_body(self.view, [self.health_alarm_arn, *self.alarms.arns]), self)
        self.outputs: dict[str, pulumi.Input[Any]] = {"kind": self.kind, "dashboard": self.dashboard_name,
                                                      "healthAlarm": self.health_alarm_name, **(outputs or {})}
        self.register_outputs(self.outputs)

    def _all_tables(self) -> list[OwnedTable]:
        return [*self.tables.values(), *([self.idempotency] if self.idempotency else [])]
