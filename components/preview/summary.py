"""The human-readable summary the preview prints."""
from __future__ import annotations

import json
from collections import Counter, defaultdict

from components.preview.runner import PreviewResult


def owning_service(result: PreviewResult) -> dict[str, str]:
    """Logical name -> the top-level component it belongs to (its service, or the core)."""
    parents = {r.name: r.parent for r in result.resources}
    owners: dict[str, str] = {}
    for name in parents:
        top = name
        while parents.get(top):
            top = parents[top]  # type: ignore[assignment]
        owners[name] = top
    return owners


def render_summary(result: PreviewResult, written: list[str]) -> str:
    owners = owning_service(result)
    custom = [r for r in result.resources if r.custom]
    per_service: dict[str, Counter[str]] = defaultdict(Counter)
    for r in custom:
        per_service[owners[r.name]][r.type.split(":")[-1]] += 1
    alarms = result.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    severities = Counter(a.inputs.get("tags", {}).get("platform:severity", "?") for a in alarms)
    lines = [f"Stack {result.stack}: {len(custom)} resources in {len(result.resources) - len(custom)} components", "",
             "Resources per service:"]
    for service, counts in sorted(per_service.items()):
        detail = ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))
        lines.append(f"  {service:<24} {sum(counts.values()):>4}  ({detail})")
    lines += ["", f"Alarms: {len(alarms)} metric alarms (" +
              ", ".join(f"{n} {s}" for s, n in sorted(severities.items())) +
              f"), {len(result.of_type('aws:cloudwatch/compositeAlarm:CompositeAlarm'))} composite health alarms"]
    lines.append("Dashboards:")
    lines += [f"  {path}" for path in written] or ["  (none written)"]
    lines += ["", "Outputs:"]
    lines += [f"  {key}: {json.dumps(value, sort_keys=True)}" for key, value in sorted(result.outputs.items())]
    if result.notes:
        lines += ["", "Notes:"] + [f"  {note}" for note in result.notes]
    return "\n".join(lines)
