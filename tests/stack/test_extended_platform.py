"""Adding a service of any kind to `__main__.py` breaks no stack test (issue 7).

For dev and prod, one synthetic service of every kind (tests/component/every_kind.py: ingest routes,
an authorizer, usage plans, a proxy route, queue, function, HTTPS and e-mail subscribers, workflow,
function and queue targets, async invocation, a table stream, scheduled jobs) is added to the
reference platform through `run_stack(stack, extend=...)`, as a user adds services to `__main__.py`.

Every stack test that reads a stack's `view` runs again in this module against the extended stack
(this module's `view` fixture overrides conftest's), so a stack test written later is re-proved
here without a change. Nothing here names a service of the reference platform.

The extended stacks come from the kit's `with_services` fixture, as a user adding services would
test them: each runs once per session.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import pytest

from components.testing import Match, PlatformView
from tests.component import every_kind
from tests.stack import test_duration_alarms, test_invariants, test_logging, test_preview
from tests.stack.conftest import stack_view

DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"


@pytest.fixture
def view(stack: str, with_services) -> PlatformView:
    return with_services(every_kind.declare_every_kind, stack)


def _reads_a_stack_view(test: Callable[..., Any]) -> bool:
    return "view" in inspect.signature(test).parameters


RERUN = {name: test for module in (test_invariants, test_logging, test_preview, test_duration_alarms)
         for name, test in vars(module).items() if name.startswith("test_") and _reads_a_stack_view(test)}
assert not set(RERUN) & set(globals()), "a re-run stack test would shadow a test of this module"
globals().update(RERUN)


def test_the_existing_stack_tests_are_rerun_here():
    assert {"test_invariant_holds", "test_xray_group_covers_every_traced_node",  # every check of invariants.py
            "test_every_log_group_but_the_shippers_and_domains_own_has_exactly_one_subscription"} <= set(RERUN)


def added(view: PlatformView) -> dict[str, dict[str, Any]]:
    return {name: entry for name, entry in view.services().items() if name.startswith(f"{every_kind.PREFIX}-")}


def test_a_service_of_every_kind_was_added_next_to_every_reference_service(view, stack):
    assert {entry["kind"] for entry in added(view).values()} == set(every_kind.KINDS)
    reference = stack_view(stack).services()
    assert set(reference) | set(added(view)) == set(view.services())
    assert not set(reference) & set(added(view))


def test_every_added_service_has_its_dashboard_health_alarm_and_overview_row(view):
    overview = [w.markdown or "" for name in view.outputs["overviewDashboards"]
                for w in view.dashboard(name).widgets if w.type == "text"]
    for service in added(view):
        assert len(view.dashboard_widgets(service)) <= 500
        assert view.health_alarm(service).composite
        assert any(row.startswith(f"### {service}\n") for row in overview), service


def test_adding_services_changes_no_existing_resource_but_the_stack_wide_views(view, stack):
    """What a reference service registered is registered again, unchanged: the new services only add.

    The X-Ray group and the overview read every service by design, so they are the only ones to grow.
    """
    before = stack_view(stack)
    after = {(r.type, r.name): r.inputs for r in view.resources}
    stack_wide = {("aws:xray/group:Group", r.name) for r in before.of_type("aws:xray/group:Group")}
    stack_wide |= {(DASHBOARD, r.name) for r in before.find(DASHBOARD, {
        "dashboardName": Match.string_like(f"^({'|'.join(before.outputs['overviewDashboards'])})$")})}
    changed = [(r.type, r.name) for r in before.resources
               if (r.type, r.name) not in stack_wide and after.get((r.type, r.name)) != r.inputs]
    assert changed == []
    assert len(view.resources) > len(before.resources)
