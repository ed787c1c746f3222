"""The questions people ask of this platform's stacks, answered from a run's resources.

A generic view knows types and inputs; these helpers know the platform's conventions, so a test
for a new service asks "which alarms does it have, at what severity, paging whom?" rather than
re-deriving the answer from tags, topic ARNs and JSON strings in every test:

- `alarms_of(service)`: its metric and composite alarms, each with severity and actions;
- `log_shipping(group)` / `is_shipped(group)`: whether and where a log group is shipped;
- `permissions_of(function)`: the IAM actions a function's (or any) role allows, on which resources;
- `dashboard_of(service)` / `dashboard_widgets(service)`: the widgets of a service's dashboard.

Each follows the resources the stack registered (the alarm's `alarmActions`, the role named by the
function's `role` ARN, the dashboard named in the `services` output), never a naming guess.
"""
from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from components.resource_types import (COMPOSITE_ALARM, DASHBOARD, FUNCTION, LOG_GROUP, METRIC_ALARM, ROLE,
                                       ROLE_POLICY, ROLE_POLICY_ATTACHMENT, SUBSCRIPTION_FILTER)
from components.testing.view import KitAssertionError, ResourceView, StackView

SERVICE_TAG = "platform:service"
SEVERITY_TAG = "platform:severity"


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass(frozen=True)
class Alarm:
    """One alarm of a service: what it watches, how bad it is, and where it sends its state changes.

    `routes` are the severities of the platform's alarm topics its ALARM actions publish to
    (`"warning"`, `"critical"`); an action outside those topics is in `actions` but not in `routes`.
    """

    name: str
    resource: ResourceView
    service: str | None
    severity: str | None
    composite: bool
    actions: tuple[str, ...]
    ok_actions: tuple[str, ...]
    routes: tuple[str, ...]

    @property
    def inputs(self) -> dict[str, Any]:
        return self.resource.inputs

    @property
    def threshold(self) -> Any:
        return self.inputs.get("threshold")

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics it reads, as `namespace/name` (several for a metric-math alarm)."""
        if self.inputs.get("metricName"):
            return (f"{self.inputs.get('namespace')}/{self.inputs['metricName']}",)
        return tuple(f"{q['metric'].get('namespace')}/{q['metric'].get('metricName')}"
                     for q in self.inputs.get("metricQueries") or () if q.get("metric"))


@dataclass(frozen=True)
class LogShipping:
    """The subscription that ships a log group, and where it sends the events."""

    log_group: str
    subscription: ResourceView
    destination: str
    role_arn: str | None
    filter_pattern: str


@dataclass(frozen=True)
class Statement:
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: dict[str, Any] | None
    policy: str  # the logical name of the policy resource that holds it

    def covers(self, action: str, resource: str) -> bool:
        """Whether the statement names the action and resource, with IAM's `*` and `?` wildcards
        (case-insensitive for actions, as IAM compares them)."""
        return (any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in self.actions)
                and any(fnmatch.fnmatchcase(resource, pattern) for pattern in self.resources))


@dataclass(frozen=True)
class Permissions:
    """What one role's inline policies allow, and which managed policies it carries besides.

    Managed policies (AWS's own, attached by ARN) cannot be read offline; they are listed so a test
    can assert there are none, or exactly the expected ones.
    """

    role: str
    statements: tuple[Statement, ...]
    managed_policies: tuple[str, ...] = ()
    by_sid: dict[str, Statement] = field(default_factory=dict, repr=False)

    @property
    def actions(self) -> dict[str, tuple[str, ...]]:
        """Each allowed action (as written, wildcards included) -> the resources it is allowed on."""
        allowed: dict[str, list[str]] = {}
        for statement in self.statements:
            if statement.effect == "Allow":
                for action in statement.actions:
                    allowed.setdefault(action, [])
                    allowed[action] += [r for r in statement.resources if r not in allowed[action]]
        return {action: tuple(resources) for action, resources in allowed.items()}

    def allows(self, action: str, resource: str = "*") -> bool:
        """Whether an Allow statement covers the action on the resource and no unconditional Deny does.

        Conditions are not evaluated: a conditional Allow counts as allowing (read `statements` to
        check the condition itself). With the default `resource="*"`, only statements on every
        resource count, so `allows("s3:GetObject")` asks whether the role may read any object.
        """
        if any(s.effect == "Deny" and not s.condition and s.covers(action, resource) for s in self.statements):
            return False
        return any(s.effect == "Allow" and s.covers(action, resource) for s in self.statements)

    def statement(self, sid: str) -> Statement:
        if sid not in self.by_sid:
            raise KitAssertionError(f"role {self.role}: no statement {sid!r}; it has {sorted(self.by_sid)}")
        return self.by_sid[sid]


@dataclass(frozen=True)
class Widget:
    type: str
    x: int
    y: int
    width: int
    height: int
    properties: dict[str, Any]

    @property
    def title(self) -> str | None:
        return self.properties.get("title")

    @property
    def markdown(self) -> str | None:
        return self.properties.get("markdown")

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics a graph draws, as `namespace/name` (rows that repeat the previous namespace with
        "." are resolved; expression rows are skipped)."""
        names: list[str] = []
        previous: list[str] = []
        for row in self.properties.get("metrics", []) if self.type == "metric" else []:
            cells = [c for c in row if isinstance(c, str)]
            if cells and cells[0] == "...":
                continue
            cells = [previous[i] if c == "." and i < len(previous) else c for i, c in enumerate(cells)]
            if len(cells) >= 2:
                names.append(f"{cells[0]}/{cells[1]}")
                previous = cells
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Dashboard:
    name: str
    resource: ResourceView
    body: dict[str, Any]

    @property
    def widgets(self) -> list[Widget]:
        return [Widget(w["type"], w["x"], w["y"], w["width"], w["height"], w.get("properties", {}))
                for w in self.body.get("widgets", [])]


class PlatformView(StackView):
    """A stack view that also answers the platform's own questions (alarms, shipping, IAM, dashboards)."""

    # -- services ----------------------------------------------------------------------------------
    def services(self) -> dict[str, dict[str, Any]]:
        """The `services` stack output: each service's kind, dashboard, health alarm and own entries."""
        services = self.outputs.get("services")
        return services if isinstance(services, dict) else {}

    def service(self, name: str) -> dict[str, Any]:
        services = self.services()
        if name not in services:
            raise KitAssertionError(f"stack {self.stack}: no service {name!r}; the services are {sorted(services)}")
        return services[name]

    # -- alarms ----------------------------------------------------------------------------------------
    def alarm_topics(self) -> dict[str, str]:
        """Severity -> the SNS topic ARN its alarms publish to (the `alarmTopics` output)."""
        topics = self.outputs.get("alarmTopics")
        return dict(topics) if isinstance(topics, dict) else {}

    def alarms_of(self, service: str, *, severity: str | None = None, composite: bool | None = None) -> list[Alarm]:
        """The service's alarms (its functions' included), optionally of one severity, or only the
        composite (`composite=True`) or only the metric ones (`False`)."""
        if service not in self.services():
            self.service(service)  # raises, naming the services
        topics = {arn: severity_name for severity_name, arn in self.alarm_topics().items()}
        found = []
        for type_token, is_composite in ((METRIC_ALARM, False), (COMPOSITE_ALARM, True)):
            if composite is not None and composite != is_composite:
                continue
            for resource in self._by_type.get(type_token, ()):
                tags = resource.inputs.get("tags") or {}
                if tags.get(SERVICE_TAG) != service:
                    continue
                alarm = _alarm(resource, is_composite, topics)
                if severity is None or alarm.severity == severity:
                    found.append(alarm)
        return found

    def alarm(self, name: str) -> Alarm:
        """One alarm by its physical name."""
        topics = {arn: severity for severity, arn in self.alarm_topics().items()}
        for type_token, is_composite in ((METRIC_ALARM, False), (COMPOSITE_ALARM, True)):
            for resource in self._by_type.get(type_token, ()):
                if _alarm_name(resource) == name:
                    return _alarm(resource, is_composite, topics)
        raise KitAssertionError(f"stack {self.stack}: no alarm is named {name!r}")

    def health_alarm(self, service: str) -> Alarm:
        """The service's one composite alarm, named in its `services` entry."""
        return self.alarm(self.service(service)["healthAlarm"])

    # -- logs ------------------------------------------------------------------------------------------
    def log_groups_of(self, service: str) -> list[str]:
        """The names of the log groups the service created (by its tag)."""
        return [g.inputs["name"] for g in self._by_type.get(LOG_GROUP, ())
                if (g.inputs.get("tags") or {}).get(SERVICE_TAG) == service]

    def log_shipping(self, log_group: str) -> LogShipping | None:
        """How a log group is shipped, or None. Several subscriptions on one group is an error: CloudWatch
        allows two per group, and the platform ships each exactly once."""
        subscriptions = [s for s in self._by_type.get(SUBSCRIPTION_FILTER, ()) if s.inputs.get("logGroup") == log_group]
        if not subscriptions:
            if log_group not in {g.inputs.get("name") for g in self._by_type.get(LOG_GROUP, ())}:
                raise KitAssertionError(f"stack {self.stack}: no log group is named {log_group!r}")
            return None
        if len(subscriptions) > 1:
            raise KitAssertionError(f"stack {self.stack}: log group {log_group} has {len(subscriptions)} "
                                    f"subscriptions ({', '.join(s.name for s in subscriptions)}); it should have one")
        s = subscriptions[0]
        return LogShipping(log_group, s, s.inputs.get("destinationArn", ""), s.inputs.get("roleArn"),
                           s.inputs.get("filterPattern", ""))

    def is_shipped(self, log_group: str) -> bool:
        return self.log_shipping(log_group) is not None

    # -- IAM -------------------------------------------------------------------------------------------
    def permissions_of(self, name: str) -> Permissions:
        """The permissions of a function's role (the function by logical or physical name) or of a role
        (by logical name, physical name or ARN)."""
        role = self._role(name)
        role_name = role.inputs.get("name") or role.id or role.name
        keys = {role_name, role.id, role.outputs.get("arn")} - {None}
        statements: list[Statement] = []
        for policy in self._by_type.get(ROLE_POLICY, ()):
            if policy.inputs.get("role") in keys:
                statements += _statements(policy)
        managed = tuple(a.inputs.get("policyArn") for a in self._by_type.get(ROLE_POLICY_ATTACHMENT, ())
                        if a.inputs.get("role") in keys)
        by_sid = {s.sid: s for s in statements if s.sid}
        return Permissions(role_name, tuple(statements), managed, by_sid)

    def _role(self, name: str) -> ResourceView:
        functions = [f for f in self._by_type.get(FUNCTION, ()) if name in (f.name, f.inputs.get("name"))]
        if len(functions) == 1:
            arn = functions[0].inputs.get("role")
            roles = [r for r in self._by_type.get(ROLE, ()) if r.outputs.get("arn") == arn]
            if len(roles) != 1:
                raise KitAssertionError(f"stack {self.stack}: function {name}'s role {arn} is not a role of this stack")
            return roles[0]
        roles = [r for r in self._by_type.get(ROLE, ())
                 if name in (r.name, r.inputs.get("name"), r.outputs.get("arn"))]
        if len(roles) == 1:
            return roles[0]
        raise KitAssertionError(f"stack {self.stack}: {name!r} names {len(functions)} functions and {len(roles)} roles; "
                                f"give a function's or role's logical or physical name")

    # -- dashboards --------------------------------------------------------------------------------------
    def dashboard(self, name: str) -> Dashboard:
        """A dashboard by its physical name."""
        for resource in self._by_type.get(DASHBOARD, ()):
            if resource.inputs.get("dashboardName") == name:
                return Dashboard(name, resource, json.loads(resource.inputs["dashboardBody"]))
        raise KitAssertionError(f"stack {self.stack}: no dashboard is named {name!r}")

    def dashboard_of(self, service: str) -> Dashboard:
        """The service's dashboard, as its `services` entry names it."""
        return self.dashboard(self.service(service)["dashboard"])

    def dashboard_widgets(self, service: str) -> list[Widget]:
        return self.dashboard_of(service).widgets


def _alarm_name(resource: ResourceView) -> str:
    return resource.inputs.get("alarmName") or resource.inputs.get("name") or resource.name


def _alarm(resource: ResourceView, composite: bool, topics: dict[str, str]) -> Alarm:
    inputs = resource.inputs
    tags = inputs.get("tags") or {}
    actions = tuple(_listed(inputs.get("alarmActions")))
    return Alarm(name=_alarm_name(resource), resource=resource, service=tags.get(SERVICE_TAG),
                 severity=tags.get(SEVERITY_TAG), composite=composite, actions=actions,
                 ok_actions=tuple(_listed(inputs.get("okActions"))),
                 routes=tuple(dict.fromkeys(topics[a] for a in actions if a in topics)))


def _statements(policy: ResourceView) -> Iterable[Statement]:
    document = policy.inputs.get("policy")
    document = json.loads(document) if isinstance(document, str) else document or {}
    for s in _listed(document.get("Statement")):
        yield Statement(sid=s.get("Sid"), effect=s.get("Effect", "Allow"), actions=tuple(_listed(s.get("Action"))),
                        resources=tuple(_listed(s.get("Resource"))), condition=s.get("Condition"), policy=policy.name)
