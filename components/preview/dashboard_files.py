"""`dashboards/<stack>/`: the dashboard bodies a stack deploys, as reviewable files.

Files are the deployed body re-indented for diffs; parsing a file and serialising it the way the
emitter does gives back the deployed string, which the staleness test checks.
"""
from __future__ import annotations

import json
from pathlib import Path

from components.preview.runner import PreviewResult

DASHBOARD_TYPE = "aws:cloudwatch/dashboard:Dashboard"


def rendered_dashboards(result: PreviewResult) -> dict[str, str]:
    """File name -> file text, for every dashboard in the stack."""
    files: dict[str, str] = {}
    for registration in result.of_type(DASHBOARD_TYPE):
        name = registration.inputs["dashboardName"]
        body = json.loads(registration.inputs["dashboardBody"])
        files[f"{name}.json"] = json.dumps(body, indent=2, sort_keys=True) + "\n"
    return files


def write_dashboards(result: PreviewResult, out_root: Path) -> list[Path]:
    """Writes the stack's dashboards and removes files of dashboards the stack no longer has."""
    directory = out_root / result.stack
    directory.mkdir(parents=True, exist_ok=True)
    files = rendered_dashboards(result)
    for stale in directory.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, text in sorted(files.items()):
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written
