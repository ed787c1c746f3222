"""`dashboards/<stack>/`: what a stack gives its users, as reviewable files.

- `<dashboard>.json`: the deployed body re-indented for diffs; parsing a file and serialising it the
  way the emitter does gives back the deployed string, which the staleness test checks;
- `<dashboard>.html`: a static view of it on CloudWatch's grid, and `index.html` linking them all;
- `alarms.md`: the alarm inventory; `cost.md`: the observability cost estimate.

Before anything is written the stack is checked against CloudWatch's limits, including alarm
names already used by the other stacks whose `alarms.md` sit beside this one.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from components.preview.runner import PreviewResult
from components.preview.views.context import LiveData, ViewContext
from components.preview.views.page import ViewLink, dashboard_html, index_html
from components.preview.views.widgets_html import WidgetRenderError
from components.reports.alarm_inventory import alarm_inventory_markdown, alarm_names_in
from components.reports.cost import CostInputError, PriceTable, cost_markdown, estimate
from components.reports.inventory import StackInventory, region_of_arns
from components.reports.limits import LimitError, ensure_within_limits
from components.resource_types import DASHBOARD

ALARMS_FILE = "alarms.md"
COST_FILE = "cost.md"
GENERATED_SUFFIXES = (".json", ".html", ".md")
#: What a stack's files can fail with; each names the dashboard, widget or alarm at fault.
STACK_FILE_ERRORS = (LimitError, WidgetRenderError, CostInputError)


def stack_inventory(result: PreviewResult) -> StackInventory:
    arns = (str(r.outputs.get("arn", "")) for r in result.resources)
    region = region_of_arns(arns) or "us-east-1"
    return StackInventory.from_entries(result.stack, region, result.inventory())


def view_context(inventory: StackInventory, live: LiveData | None = None) -> ViewContext:
    return ViewContext(stack=inventory.stack, region=inventory.region, alarms=inventory.alarms,
                       composites=inventory.composites, live=live)


def rendered_dashboards(result: PreviewResult) -> dict[str, str]:
    """File name -> file text for every dashboard body in the stack."""
    files: dict[str, str] = {}
    for registration in result.of_type(DASHBOARD):
        name = registration.inputs["dashboardName"]
        body = json.loads(registration.inputs["dashboardBody"])
        files[f"{name}.json"] = json.dumps(body, indent=2, sort_keys=True) + "\n"
    return files


def rendered_views(inventory: StackInventory, live: LiveData | None = None,
                   reports: Mapping[str, str] | None = None) -> dict[str, str]:
    """File name -> HTML for every dashboard view and the index (``reports``: file name -> description)."""
    ctx = view_context(inventory, live)
    files = {f"{d.name}.html": dashboard_html(d.name, d.body, ctx) for d in inventory.dashboards}
    links = [ViewLink(d.name, f"{d.name}.html", f"{len(d.body.get('widgets', []))} widgets, "
                      f"{len(d.body_text.encode())} bytes", None if live else f"{d.name}.json") for d in inventory.dashboards]
    report_links = [ViewLink(name, name, f"({detail})") for name, detail in (reports or {}).items()]
    files["index.html"] = index_html(inventory.stack, inventory.region, links, report_links, live=live is not None)
    return files


def rendered_files(result: PreviewResult, other_stacks: Mapping[str, list[str]] | None = None) -> dict[str, str]:
    """Every file of `dashboards/<stack>/`; raises LimitError or WidgetRenderError naming what is wrong."""
    inventory = stack_inventory(result)
    ensure_within_limits(inventory, other_stacks or {})
    files = rendered_dashboards(result)
    reports = {ALARMS_FILE: "alarm inventory", COST_FILE: "observability cost estimate"}
    files.update(rendered_views(inventory, reports=reports))
    files[ALARMS_FILE] = alarm_inventory_markdown(inventory)
    files[COST_FILE] = cost_markdown(estimate(inventory, PriceTable.load()))
    return files


def other_stacks_alarm_names(out_root: Path, stack: str) -> dict[str, list[str]]:
    """Alarm names of the other stacks, from the inventories committed beside this stack's."""
    if not out_root.is_dir():
        return {}
    return {d.name: alarm_names_in((d / ALARMS_FILE).read_text()) for d in sorted(out_root.iterdir())
            if d.is_dir() and d.name != stack and (d / ALARMS_FILE).is_file()}


def write_dashboards(result: PreviewResult, out_root: Path, write: bool = True) -> list[Path]:
    """Checks the stack, then (unless ``write`` is false) writes its files and removes stale ones."""
    files = rendered_files(result, other_stacks_alarm_names(out_root, result.stack))
    if not write:
        return []
    directory = out_root / result.stack
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        if stale.is_file() and stale.suffix in GENERATED_SUFFIXES and stale.name not in files:
            stale.unlink()
    written = []
    for name, text in sorted(files.items()):
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written
