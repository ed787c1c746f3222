"""Runs programs of services under the recording mocks, and reads back what they registered.

Component tests declare services through `Platform.add` exactly as `__main__.py` does, with settings
built here, and assert on the recorded inventory (`preview=False`, so every `apply` ran and inputs
are resolved). Each test module registers its declarations with `@in_catalog`, and `catalog()` runs
them all in one program, once per session: a program's fixed cost (the core, central logging and a
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
from components.preview.mocks import PlatformMocks
from components.preview.recorder import RecordingMonitor, Registration
from components.preview.runner import PreviewResult, run_program
from components.settings import Settings, load_settings

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
    result: PreviewResult
    platform: Platform
    monitor: RecordingMonitor


def run(build: Callable[[Platform], Any], stack: str = "dev", monitor: RecordingMonitor | None = None,
        reclaim: bool = True, **config: str) -> Run:
    """One program: a platform from the given settings, `build(platform)`, then `finish()`."""
    holder: dict[str, Platform] = {}
    monitor = monitor or RecordingMonitor(PlatformMocks(REGION))

    def program() -> None:
        platform = Platform(settings_for(stack, **config))
        holder["platform"] = platform
        build(platform)
        platform.finish()

    result = run_program(stack, program, {"aws:region": REGION}, monitor=monitor, reclaim=reclaim)
    return Run(result, holder["platform"], monitor)


def in_catalog(declare: Callable[[Platform], Any]) -> Callable[[Platform], Any]:
    """Registers a module's declarations for the catalog program (at import, before any test runs)."""
    if _CATALOG:
        raise RuntimeError(f"{declare.__module__} registers declarations after the catalog program ran")
    _DECLARATIONS.append(declare)
    return declare


def catalog() -> Run:
    """The one program of every registered declaration, with `CATALOG_CONFIG`; run on first use.

    `reclaim=False`: the run's garbage (about 30 MB) is frozen instead of collected, because a full
    collection of a test process holding several stack results costs most of a second, and the
    session keeps the catalog's result to its end anyway.
    """
    if not _CATALOG:
        _CATALOG.append(run(lambda platform: [declare(platform) for declare in _DECLARATIONS], reclaim=False,
                            **CATALOG_CONFIG))
    return _CATALOG[0]


# -- reading the inventory ----------------------------------------------------------------------
def inputs(run_: Run, logical: str) -> dict[str, Any]:
    """The resolved inputs of the one registration with this logical name."""
    return run_.result.named(logical).inputs


def names_argument(problems: list[str], argument: str) -> bool:
    """Whether a problem starts with the argument (`problems` say `argument = value: what is allowed`)."""
    return any(problem.startswith(argument) for problem in problems)


def descendants(result: PreviewResult, root: str) -> list[Registration]:
    """Everything registered below `root`, at any depth (functions' children included)."""
    children: dict[str | None, list[Registration]] = {}
    for registration in result.resources:
        children.setdefault(registration.parent, []).append(registration)
    found, stack, seen = [], [root], {root}
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            if child.name not in seen:  # a component and a resource may share a logical name
                seen.add(child.name)
                stack.append(child.name)
    return found


def of_service(result: PreviewResult, service: str, type_token: str) -> list[Registration]:
    return [r for r in descendants(result, service) if r.type == type_token]


def policy(result: PreviewResult, logical_name: str) -> dict[str, dict[str, Any]]:
    """A role policy's statements by Sid; every statement must have one."""
    statements = json.loads(result.named(logical_name).inputs["policy"])["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert len(by_sid) == len(statements), f"{logical_name}: statement ids are missing or repeated"
    return by_sid


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def alarms(result: PreviewResult, service: str) -> dict[str, dict[str, Any]]:
    """The service's metric alarms by physical name (functions' alarms included)."""
    return {a.inputs["name"]: a.inputs for a in result.of_type(ALARM) if a.inputs["tags"]["platform:service"] == service}


def alarm_keys(result: PreviewResult, service: str, stack: str = "dev") -> set[str]:
    prefix = f"platform-{stack}-{service}-"
    return {name.removeprefix(prefix) for name in alarms(result, service)}


def dashboard_widgets(result: PreviewResult, service: str, stack: str = "dev") -> list[dict[str, Any]]:
    name = f"platform-{stack}-{service}-dashboard"
    board = next(d for d in result.of_type(DASHBOARD) if d.inputs["dashboardName"] == name)
    return json.loads(board.inputs["dashboardBody"])["widgets"]


def dashboard_text(result: PreviewResult, service: str, stack: str = "dev") -> list[str]:
    return [w["properties"]["markdown"] for w in dashboard_widgets(result, service, stack) if w["type"] == "text"]


def section_titles(result: PreviewResult, service: str, stack: str = "dev") -> list[str]:
    """Section headers of a service dashboard (`## <kind> <name>`)."""
    return [text.lstrip("# ").strip() for text in dashboard_text(result, service, stack) if text.startswith("## ")]


def metric_names(result: PreviewResult, service: str, stack: str = "dev") -> set[str]:
    """Every metric a service dashboard graphs, as `namespace/metric`."""
    names: set[str] = set()
    for widget in dashboard_widgets(result, service, stack):
        for row in widget["properties"].get("metrics", []) if widget["type"] == "metric" else []:
            cells = [c for c in row if isinstance(c, str)]
            if len(cells) >= 2 and not cells[0].startswith("..."):
                names.add(f"{cells[0]}/{cells[1]}")
    return names


def health_rule(result: PreviewResult, service: str, stack: str = "dev") -> str:
    name = f"platform-{stack}-{service}-health"
    return next(c.inputs["alarmRule"] for c in result.of_type(COMPOSITE) if c.inputs["alarmName"] == name)


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def first(items: Iterable[Registration], **inputs: Any) -> Registration:
    """The one registration whose inputs hold these values."""
    matches = [r for r in items if all(r.inputs.get(k) == v for k, v in inputs.items())]
    assert len(matches) == 1, f"{len(matches)} registrations match {inputs}"
    return matches[0]
