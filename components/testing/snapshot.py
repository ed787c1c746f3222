"""Inventory snapshots: a stack's every resource, committed, so any change to it is seen and reviewed.

A snapshot is one JSON file per stack: every resource's type, logical name, parent, inputs and the
resource options it differs from the defaults in, sorted by name and type, so the file does not
reorder itself between runs. Values are made stable and readable first:

- secrets are `[secret]` (a snapshot is committed; a secret must never be in it);
- a string holding a JSON document (policies, dashboard bodies, definitions) is stored parsed,
  under `{"<json>": ...}`, so a diff shows the statement that changed, not one long changed line;
- the content hash in a code archive's file name is `<hash>`: it changes with every handler edit,
  and the snapshot is about the infrastructure's shape (the handlers have their own tests);
- integral numbers are integers (the engine sends every number as a float).

On a difference the test fails and lists it resource by resource: added, removed, and for each
changed resource the paths that changed with their old and new values. `--update-snapshots` (the
pytest plugin's flag) writes the files instead.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from components.testing.values import HIDDEN, MISSING, UNKNOWN, Secret, tidy_number
from components.testing.view import KitAssertionError, StackView

JSON_KEY = "<json>"
_ARCHIVE_HASH = re.compile(r"(?<=-)[0-9a-f]{16,}(?=\.zip$)")
#: How many differences a failure lists before summing up the rest.
SHOWN = 60


def stable(value: Any) -> Any:
    """A value as the snapshot stores it (see the module's docstring)."""
    if isinstance(value, Secret):
        return "[secret]"
    if value is UNKNOWN or value is HIDDEN:
        return repr(value)
    if isinstance(value, dict):
        return {key: stable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [stable(item) for item in value]
    if isinstance(value, str):
        if value[:1] in "{[" and value[-1:] in "}]":
            try:
                return {JSON_KEY: stable(json.loads(value))}
            except ValueError:
                return value
        return _ARCHIVE_HASH.sub("<hash>", value) if value.endswith(".zip") else value
    return tidy_number(value)


def _options(view_options: Any) -> dict[str, Any]:
    """Only the options a resource sets; the defaults would repeat on every entry."""
    options = {"protect": view_options.protect, "delete_before_replace": view_options.delete_before_replace,
               "retain_on_delete": view_options.retain_on_delete, "ignore_changes": list(view_options.ignore_changes),
               "replace_on_changes": list(view_options.replace_on_changes)}
    return {key: value for key, value in options.items() if value not in (False, None, [])}


def digest(value: Any) -> str:
    """A short, stable digest of a value, for inputs another committed file already shows in full."""
    text = json.dumps(stable(value), sort_keys=True, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def inventory(view: StackView, digested: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    """The snapshot document of a stack view; `digested` maps a type to the inputs kept only as a digest."""
    entries = []
    for resource in sorted(view.resources, key=lambda r: (r.name, r.type)):
        inputs = stable(resource.inputs)
        for key in (digested or {}).get(resource.type, ()):
            if key in inputs:
                inputs[key] = digest(resource.inputs[key])
        entry: dict[str, Any] = {"type": resource.type, "name": resource.name, "parent": resource.parent,
                                 "inputs": inputs}
        options = _options(resource.options)
        if options:
            entry["options"] = options
        entries.append(entry)
    return {"stack": view.stack, "resources": entries, "outputs": stable(view.outputs)}


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# -- comparing ------------------------------------------------------------------------------------
def _keyed(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['type']} {r['name']}": r for r in document.get("resources", [])}


def _changes(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            step = f"{path}.{key}" if path else str(key)
            yield from _changes(old.get(key, MISSING), new.get(key, MISSING), step)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new)):
            yield from _changes(a, b, f"{path}[{index}]")
    elif old != new:
        yield path, old, new


def _shown(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The differences between two snapshot documents, one line each, grouped by resource."""
    before, after = _keyed(old), _keyed(new)
    lines = [f"+ {key}" for key in sorted(set(after) - set(before))]
    lines += [f"- {key}" for key in sorted(set(before) - set(after))]
    for key in sorted(set(before) & set(after)):
        changed = list(_changes(before[key], after[key]))
        if changed:
            lines.append(f"~ {key}")
            lines += [f"    {path}: {_shown(a)} -> {_shown(b)}" for path, a, b in changed]
    outputs = list(_changes(old.get("outputs", {}), new.get("outputs", {})))
    if outputs:
        lines.append("~ stack outputs")
        lines += [f"    {path}: {_shown(a)} -> {_shown(b)}" for path, a, b in outputs]
    return lines


@dataclass(frozen=True)
class Snapshots:
    """The snapshot files of one directory; `update` writes instead of comparing.

    `digested` names, per type, inputs stored only as a digest: a change still fails the comparison,
    but a value another committed file already shows in full (the dashboards' bodies, which
    dashboards/<stack>/ holds) is not repeated.
    """

    directory: Path
    update: bool = False
    digested: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def assert_match(self, view: StackView, name: str | None = None,
                     digested: Mapping[str, Sequence[str]] | None = None) -> None:
        """Compares the view's inventory with `<directory>/<name>.json` (name: the stack's)."""
        __tracebackhide__ = True
        path = self.path(name or view.stack)
        current = inventory(view, self.digested if digested is None else digested)
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            text = dumps(current)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            return
        if not path.exists():
            raise KitAssertionError(f"no snapshot {path}: run the tests with --update-snapshots to write it, "
                                    f"then review and commit it")
        committed = json.loads(path.read_text(encoding="utf-8"))
        lines = differences(committed, current)
        if lines:
            shown = lines[:SHOWN] + ([f"... and {len(lines) - SHOWN} more lines"] if len(lines) > SHOWN else [])
            raise KitAssertionError(
                f"stack {view.stack} differs from its snapshot {path} (+ added, - removed, ~ changed):\n"
                + "\n".join(shown)
                + "\nIf the change is intended, run the tests with --update-snapshots and commit the file.")
