"""Runs programs of services through the testing kit, and reads back what they registered.

Component tests declare services through `Platform.add` exactly as `__main__.py` does, and assert on
the kit's view of the run (`components.testing`: every `apply` ran, inputs are resolved, plain
values). Each test module registers its declarations with `@in_catalog`, and `catalog()` runs them
all in one program, once per session: a program's fixed cost (the core, central logging and a
full garbage collection of the test process) is then paid once rather than once per module. Service
names are unique across modules, and `CATALOG_CONFIG` holds every setting the modules assert on.

Argument checks are pure: `core_for` gives `Args.problems` a core made of real `Settings` and
nothing else, so they run inside hypothesis loops without Pulumi.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from components.naming import Namer
from components.platform import Platform
from components.settings import Settings, load_settings
from components.testing import PlatformView, ResourceView, run_services

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


#: The settings of the catalog program; each group is asserted on by the test module named.
CATALOG_CONFIG: dict[str, str] = {
    # test_queue_worker
    "queueMaxReceiveCount": "4", "alarmQueueAgeWarningPct": "150", "alarmQueueAgeCriticalPct": "off",
    # test_topic
    "alarmTopicFailedNotificationsWarning": "2", "alarmTopicFailedNotificationsCritical": "10",
    # test_event_route
    "alarmEventsFailedInvocationsWarning": "1", "alarmEventsFailedInvocationsCritical": "3",
    # test_scheduled_job
    "scheduleMaxRetries": "4", "scheduleGraceMinutes": "30",
    # test_stream_pipeline, test_table_stream
    "streamMode": "provisioned", "streamShardCount": "2", "streamRetentionHours": "48", "streamMaxRetries": "7",
    "streamBatchSize": "40", "streamMaxRecordAgeSeconds": "900",
    "alarmFirehoseFreshnessWarningPct": "200", "alarmFirehoseFreshnessCriticalPct": "off",
    # test_workflow, and every queue, stream and schedule consumer
    "workerTimeoutSeconds": "20",
    "alarmWorkflowFailedExecutionsWarning": "2", "alarmWorkflowFailedExecutionsCritical": "4",
    "alarmWorkflowDurationWarningPct": "50", "alarmWorkflowDurationCriticalPct": "off",
    # test_internal_function, test_rest_api
    "alarmMinInvocations": "25", "alarmLambdaErrorRateWarningPct": "2", "alarmLambdaErrorRateCriticalPct": "8",
    "alarmPeriodSeconds": "300", "alarmLambdaDurationWarningPct": "60",
    "apiThrottleRateLimit": "30", "apiThrottleBurstLimit": "60",
}
_DECLARATIONS: list[Callable[[Platform], Any]] = []
_CATALOG: list[Run] = []


def settings_for(stack: str = "dev", **config: str) -> Settings:
    """Real settings from `platform:` keys given as strings, the way the CLI hands them over."""
    return load_settings(stack, {"aws:region": REGION, **{f"platform:{k}": v for k, v in config.items()}})


@dataclass(frozen=True)
class CoreStandIn:
    """What `ServiceArgs.problems` reads of the core: its settings (and names), no resources."""

    settings: Settings

    @property
    def namer(self) -> Namer:
        return Namer(self.settings.project, self.settings.stack)


def core_for(stack: str = "dev", **config: str) -> Any:
    return CoreStandIn(settings_for(stack, **config))


@dataclass
class Run:
    """The kit's view of a program of services, and the platform it ran (for what only the objects tell)."""

    view: PlatformView
    platform: Platform


def run(build: Callable[[Platform], Any], stack: str = "dev", share: bool = False, **config: str) -> Run:
    """One program: a platform from exactly the given settings (no stack file), `build(platform)`, `finish()`."""
    holder: dict[str, Platform] = {}

    def declare(platform: Platform) -> None:
        holder["platform"] = platform
        build(platform)

    view = run_services(declare, stack, config={"aws:region": REGION, **config}, share=share)
    return Run(view, holder["platform"])


def in_catalog(declare: Callable[[Platform], Any]) -> Callable[[Platform], Any]:
    """Registers a module's declarations for the catalog program (at import, before any test runs)."""
    if _CATALOG:
        raise RuntimeError(f"{declare.__module__} registers declarations after the catalog program ran")
    _DECLARATIONS.append(declare)
    return declare


def _declare_catalog(platform: Platform) -> None:
    for declare in _DECLARATIONS:
        declare(platform)


def catalog() -> Run:
    """The one program of every registered declaration, with `CATALOG_CONFIG`; run on first use and shared."""
    if not _CATALOG:
        _CATALOG.append(run(_declare_catalog, share=True, **CATALOG_CONFIG))
    return _CATALOG[0]


# -- reading the inventory ----------------------------------------------------------------------
def inputs(run_: Run, logical: str) -> dict[str, Any]:
    """The resolved inputs of the one registration with this logical name."""
    return run_.view.get(logical).inputs


def names_argument(problems: list[str], argument: str) -> bool:
    """Whether a problem starts with the argument (`problems` say `argument = value: what is allowed`)."""
    return any(problem.startswith(argument) for problem in problems)


def of_service(view: PlatformView, service: str, type_token: str) -> list[ResourceView]:
    return view.descendants(service, type_token)


def policy(view: PlatformView, logical_name: str) -> dict[str, dict[str, Any]]:
    """A role policy's statements by Sid, exactly as written; every statement must have one."""
    statements = json.loads(view.get(logical_name, ROLE_POLICY).inputs["policy"])["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert len(by_sid) == len(statements), f"{logical_name}: statement ids are missing or repeated"
    return by_sid


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def alarms(view: PlatformView, service: str) -> dict[str, dict[str, Any]]:
    """The service's metric alarms by physical name (functions' alarms included)."""
    return {alarm.name: alarm.inputs for alarm in view.alarms_of(service, composite=False)}


def alarm_keys(view: PlatformView, service: str, stack: str = "dev") -> set[str]:
    prefix = f"platform-{stack}-{service}-"
    return {name.removeprefix(prefix) for name in alarms(view, service)}


def dashboard_text(view: PlatformView, service: str) -> list[str]:
    return [w.markdown for w in view.dashboard_widgets(service) if w.type == "text"]


def section_titles(view: PlatformView, service: str) -> list[str]:
    """Section headers of a service dashboard (`## <kind> <name>`)."""
    return [text.lstrip("# ").strip() for text in dashboard_text(view, service) if text.startswith("## ")]


def health_rule(view: PlatformView, service: str) -> str:
    return view.health_alarm(service).inputs["alarmRule"]


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def first(items: Iterable[ResourceView], **inputs: Any) -> ResourceView:
    """The one resource whose inputs hold these values."""
    matches = [r for r in items if all(r.inputs.get(k) == v for k, v in inputs.items())]
    assert len(matches) == 1, f"{len(matches)} registrations match {inputs}"
    return matches[0]
