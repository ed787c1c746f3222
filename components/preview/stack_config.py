"""Stack config exactly as the CLI would hand it to the program: strings, project defaults first.

Both files are read as the CLI reads them (`components.settings.cli_yaml`), and the checks the CLI
makes before it runs the program are made here too, so the offline preview refuses what
`pulumi up` would refuse: a file it cannot parse, and a key declared `secret: true` in Pulumi.yaml
whose value is in plain text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.settings.cli_yaml import Secure, YamlFileError, as_config_string, read_project, read_stack_config
from components.settings.loader import Problem, SettingsError, config_problems


class StackConfigError(ValueError):
    pass


@dataclass(frozen=True)
class ProjectFile:
    name: str                   # the namespace of the project's own config keys
    schema: dict[str, Any]      # Pulumi.yaml's `config:` block

    def qualify(self, key: str) -> str:
        return key if ":" in key else f"{self.name}:{key}"

    @property
    def secret_keys(self) -> frozenset[str]:
        """Fully-qualified keys declared `secret: true`."""
        return frozenset(self.qualify(key) for key, spec in self.schema.items()
                         if isinstance(spec, dict) and spec.get("secret") is True)


def read_project_file(root: Path) -> ProjectFile:
    try:
        project = read_project(root / "Pulumi.yaml")
    except YamlFileError as error:
        raise StackConfigError(str(error)) from None
    except FileNotFoundError:
        raise StackConfigError(f"no Pulumi.yaml in {root}") from None
    project = project if isinstance(project, dict) else {}
    name, schema = project.get("name"), project.get("config") or {}
    if not isinstance(name, str) or not name:
        raise StackConfigError("Pulumi.yaml: the project needs a non-empty string `name`")
    if not isinstance(schema, dict):
        raise StackConfigError("Pulumi.yaml: `config` must be a mapping of keys to their schema")
    return ProjectFile(name, schema)


def load_stack_config(root: Path, stack: str) -> tuple[dict[str, str], list[str]]:
    """Returns (config, notes). Encrypted values cannot be read offline and are left unset, with a note."""
    stack_file = root / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise StackConfigError(f"no stack '{stack}': {stack_file.name} does not exist (stacks: {', '.join(known)})")
    project = read_project_file(root)
    config: dict[str, str] = {}
    for key, spec in project.schema.items():
        if isinstance(spec, dict) and spec.get("default") is not None:
            config[project.qualify(key)] = as_config_string(spec["default"])
        elif not isinstance(spec, dict) and spec is not None:  # shorthand `key: value`
            config[project.qualify(key)] = as_config_string(spec)
    secrets = project.secret_keys
    notes: list[str] = []
    plaintext: list[Problem] = []
    try:
        entries = read_stack_config(stack_file)
    except YamlFileError as error:
        raise StackConfigError(str(error)) from None
    for key, entry in entries.items():
        full_key = project.qualify(key)
        if isinstance(entry.value, Secure):
            notes.append(f"{full_key} is encrypted for the stack's secrets provider and is left unset offline")
            continue
        if full_key in secrets:
            plaintext.append(Problem(full_key, "", f"an encrypted value: Pulumi.yaml declares it secret and "
                                                   f"{stack_file.name}:{entry.line} holds it in plain text; remove "
                                                   f"that line and run `{set_secret_command(stack, full_key)}`",
                                     secret=True))
            continue
        config[full_key] = as_config_string(entry.value)
    if plaintext:
        raise SettingsError(stack, plaintext + config_problems(config, project.name))
    notes.extend(f"{key} is declared secret in Pulumi.yaml and {stack_file.name} has no value for it: "
                 f"`pulumi up` refuses the stack until `{set_secret_command(stack, key)}` is run "
                 f"(an empty value is allowed)" for key in sorted(secrets - {project.qualify(k) for k in entries}))
    return config, notes


def set_secret_command(stack: str, full_key: str) -> str:
    return f"pulumi config set --stack {stack} --secret {full_key} <value>"
