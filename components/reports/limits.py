"""CloudWatch limits a whole stack must respect, checked before anything is written or deployed.

Per dashboard: the body rules of ``layout.validate_dashboard_body`` (widgets, metrics, grid) and the
name rules of PutDashboard. Per alarm: PutMetricAlarm's name rules ("at most 255 characters, only
UTF-8, no ASCII control characters"; CloudWatch API Reference, PutMetricAlarm and
PutCompositeAlarm) and uniqueness: alarm names are unique per account and region, and the stacks of
this project may share both, so a name must be unique across stacks, not only within one.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from components.observability.dashboard.layout import DashboardValidationError, dashboard_name_problems, validate_dashboard_body
from components.reports.inventory import StackInventory

MAX_ALARM_NAME_CHARS = 255


class LimitError(ValueError):
    """Every limit a stack breaks, listed at once."""

    def __init__(self, stack: str, problems: Sequence[str]) -> None:
        self.stack, self.problems = stack, list(problems)
        super().__init__(f"stack {stack} breaks CloudWatch limits:\n- " + "\n- ".join(self.problems))


def alarm_name_problems(name: str) -> list[str]:
    problems = []
    if not name:
        problems.append("an alarm has an empty name")
    if len(name) > MAX_ALARM_NAME_CHARS:
        problems.append(f"alarm name {name!r} is {len(name)} characters; at most {MAX_ALARM_NAME_CHARS}")
    control = sorted({f"U+{ord(ch):04X}" for ch in name if ord(ch) < 32 or ord(ch) == 127})
    if control:
        problems.append(f"alarm name {name!r} contains ASCII control characters {', '.join(control)}")
    return problems


def stack_limit_problems(inventory: StackInventory, other_stacks: Mapping[str, Iterable[str]] = {}) -> list[str]:
    """``other_stacks`` maps each other stack to its alarm names (read from its committed inventory)."""
    problems: list[str] = []
    for dashboard in inventory.dashboards:
        problems += dashboard_name_problems(dashboard.name)
        try:
            validate_dashboard_body(dashboard.body, name=dashboard.name)
        except DashboardValidationError as error:
            problems += [f"dashboard {dashboard.name}: {problem}" for problem in error.problems]
    names = inventory.alarm_names
    for name in names:
        problems += alarm_name_problems(name)
    for name, count in sorted(Counter(names).items()):
        if count > 1:
            problems.append(f"alarm name {name!r} is used {count} times in stack {inventory.stack}")
    mine = set(names)
    for other, theirs in sorted(other_stacks.items()):
        if other == inventory.stack:
            continue
        for name in sorted(mine & set(theirs)):
            problems.append(f"alarm name {name!r} is also used by stack {other}; alarm names are unique per account "
                            "and region, so one stack would overwrite the other's alarm")
    return problems


def ensure_within_limits(inventory: StackInventory, other_stacks: Mapping[str, Iterable[str]] = {}) -> None:
    problems = stack_limit_problems(inventory, other_stacks)
    if problems:
        raise LimitError(inventory.stack, problems)
