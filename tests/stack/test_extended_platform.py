"""Adding a service of any kind to `__main__.py` breaks no stack test (issue 7).

For dev and prod, one synthetic service of every kind (tests/component/every_kind.py: ingest routes,
an authorizer, usage plans, a proxy route, queue, function, HTTPS and e-mail subscribers, workflow,
function and queue targets, async invocation, a table stream, scheduled jobs) is added to the
reference platform through `run_stack(stack, extend=...)`, as a user adds services to `__main__.py`.

Every stack test that reads a stack's `result` runs again in this module against the extended stack
(this module's `result` fixture overrides conftest's), so a stack test written later is re-proved
here without a change. Nothing here names a service of the reference platform.
"""
from __future__ import annotations

import inspect
import json
from typing import Any, Callable

import pytest

from components.preview.runner import PreviewResult, run_stack
from tests.component import every_kind
from tests.stack import test_invariants, test_logging, test_preview
from tests.stack.conftest import stack_result

_EXTENDED: dict[str, PreviewResult] = {}


def extended_result(stack: str) -> PreviewResult:
    """Run once per session; `reclaim=False` for the reason given in `tests.component.harness.catalog`."""
    if stack not in _EXTENDED:
        _EXTENDED[stack] = run_stack(stack, extend=every_kind.declare_every_kind, reclaim=False)
    return _EXTENDED[stack]


@pytest.fixture
def result(stack: str) -> PreviewResult:
    return extended_result(stack)


def _reads_a_stack_result(test: Callable[..., Any]) -> bool:
    return "result" in inspect.signature(test).parameters


RERUN = {name: test for module in (test_invariants, test_logging, test_preview)
         for name, test in vars(module).items() if name.startswith("test_") and _reads_a_stack_result(test)}
assert not set(RERUN) & set(globals()), "a re-run stack test would shadow a test of this module"
globals().update(RERUN)


def test_the_existing_stack_tests_are_rerun_here():
    assert {"test_invariant_holds", "test_xray_group_covers_every_traced_node",  # every check of invariants.py
            "test_every_log_group_but_the_shippers_and_domains_own_has_exactly_one_subscription"} <= set(RERUN)


def added(result: PreviewResult) -> dict[str, dict[str, Any]]:
    return {name: entry for name, entry in result.outputs["services"].items()
            if name.startswith(f"{every_kind.PREFIX}-")}


def test_a_service_of_every_kind_was_added_next_to_every_reference_service(result, stack):
    assert {entry["kind"] for entry in added(result).values()} == set(every_kind.KINDS)
    reference = stack_result(stack).outputs["services"]
    assert set(reference) | set(added(result)) == set(result.outputs["services"])
    assert not set(reference) & set(added(result))


def test_every_added_service_has_its_dashboard_health_alarm_and_overview_row(result):
    dashboards = {d.inputs["dashboardName"]: json.loads(d.inputs["dashboardBody"])
                  for d in result.of_type("aws:cloudwatch/dashboard:Dashboard")}
    composites = {c.inputs["alarmName"] for c in result.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")}
    overview = [w["properties"].get("markdown", "") for name in result.outputs["overviewDashboards"]
                for w in dashboards[name]["widgets"] if w["type"] == "text"]
    for service, entry in added(result).items():
        assert entry["dashboard"] in dashboards and len(dashboards[entry["dashboard"]]["widgets"]) <= 500
        assert entry["healthAlarm"] in composites
        assert any(row.startswith(f"### {service}\n") for row in overview), service


def test_adding_services_changes_no_existing_resource_but_the_stack_wide_views(result, stack):
    """What a reference service registered is registered again, unchanged: the new services only add.

    The X-Ray group and the overview read every service by design, so they are the only ones to grow.
    """
    before = stack_result(stack)
    after = {(r.type, r.name): r.inputs for r in result.resources}
    stack_wide = {("aws:xray/group:Group", r.name) for r in before.of_type("aws:xray/group:Group")}
    stack_wide |= {("aws:cloudwatch/dashboard:Dashboard", r.name) for r in before.of_type(
        "aws:cloudwatch/dashboard:Dashboard") if r.inputs["dashboardName"] in before.outputs["overviewDashboards"]}
    changed = [(r.type, r.name) for r in before.resources
               if (r.type, r.name) not in stack_wide and after.get((r.type, r.name)) != r.inputs]
    assert changed == []
    assert len(result.resources) > len(before.resources)
