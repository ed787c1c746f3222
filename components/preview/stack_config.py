"""Stack config exactly as the CLI would hand it to the program: strings, project defaults first."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from components.settings.schema import PROJECT


class StackConfigError(ValueError):
    pass


def _as_cli_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _qualify(key: str) -> str:
    return key if ":" in key else f"{PROJECT}:{key}"


def load_stack_config(root: Path, stack: str) -> tuple[dict[str, str], list[str]]:
    """Returns (config, notes). Encrypted values cannot be read offline and are left unset, with a note."""
    project_file = root / "Pulumi.yaml"
    stack_file = root / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise StackConfigError(f"no stack '{stack}': {stack_file.name} does not exist (stacks: {', '.join(known)})")
    project = yaml.safe_load(project_file.read_text()) or {}
    config: dict[str, str] = {}
    notes: list[str] = []
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            config[_qualify(key)] = _as_cli_string(spec["default"])
        elif not isinstance(spec, dict):
            config[_qualify(key)] = _as_cli_string(spec)
    for key, value in ((yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}).items():
        if isinstance(value, dict) and "secure" in value:
            notes.append(f"{key} is encrypted for the stack's secrets provider and is left unset offline")
            continue
        config[_qualify(key)] = _as_cli_string(value)
    return config, notes
