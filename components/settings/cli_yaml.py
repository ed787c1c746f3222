"""Reads Pulumi.yaml and stack files the way the Pulumi CLI does, so the offline preview and the
stack tests see exactly the strings `pulumi up` would hand the program.

The CLI parses both files with go-yaml v3, which follows YAML 1.2: only true/True/TRUE and
false/False/FALSE are booleans, so `yes`, `on` or `y` are plain strings (PyYAML's YAML 1.1
constructors would turn them into booleans). A stack file's config value is decoded into a Go
string (`config.Value`), which keeps the scalar's text exactly as written: `pageOnCritical: yes`
reaches the program as "yes", which the CLI then rejects for a boolean key. A null is the empty
string, `{secure: ...}` is an encrypted value, and any other mapping or sequence travels as JSON.
go-yaml v3 also refuses a mapping key given twice, where PyYAML silently keeps the last one.
Working from PyYAML's composed node tree, not its constructors, gives all of that.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: go-yaml v3's plain scalars that resolve to null, true and false.
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
#: libyaml's parser when PyYAML was built with it (the wheels are): 40x faster than the pure-Python
#: one on Pulumi.yaml, with the same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LEGACY_OCTAL = re.compile(r"[-+]?0[0-7]+")  # go-yaml v3 still reads 0777 as octal
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


class YamlFileError(ValueError):
    """A file the CLI would refuse to read; the message names the file and the line."""


@dataclass(frozen=True)
class Secure:
    """An encrypted config value (`{secure: <ciphertext>}`); it cannot be read offline."""
    ciphertext: str


@dataclass(frozen=True)
class ConfigEntry:
    """One `config:` entry of a stack file: its value as the CLI reads it, and where it is."""
    value: str | Secure | Any
    line: int


def read_project(path: Path) -> dict[str, Any]:
    """Pulumi.yaml, with plain scalars resolved as go-yaml v3 resolves null, booleans and numbers
    (timestamps and the special floats stay text: the platform's schema uses neither)."""
    return _resolve(_document(path), path)


def read_stack_config(path: Path) -> dict[str, ConfigEntry]:
    """The `config:` mapping of a Pulumi.<stack>.yaml file, each value as the program will get it."""
    document = _document(path)
    if document is None:
        return {}
    config = dict(_pairs(document, path)).get("config")
    if config is None or _is_null(config):
        return {}
    if not isinstance(config, yaml.MappingNode):
        raise YamlFileError(f"{path.name}:{config.start_mark.line + 1}: `config` must be a mapping of keys to values")
    return {key: ConfigEntry(_config_value(node, path), node.start_mark.line + 1) for key, node in _pairs(config, path)}


def as_config_string(value: Any) -> str:
    """A resolved value as the CLI passes it to the program: primitives as text, structures as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))  # Go's JSON encoding writes 1.0 as 1
    return json.dumps(value, separators=(",", ":"))


def _document(path: Path) -> yaml.Node | None:
    try:
        node = yaml.compose(path.read_text(), Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark else path.name
        what = "; ".join(part for part in (error.context, error.problem) if part)
        raise YamlFileError(f"{where}: YAML syntax error: {what}") from None
    except yaml.YAMLError as error:
        raise YamlFileError(f"{path.name}: YAML syntax error: {error}") from None
    if node is not None and not isinstance(node, yaml.MappingNode):
        raise YamlFileError(f"{path.name}:{node.start_mark.line + 1}: the file must be a mapping")
    return node


def _pairs(node: yaml.MappingNode, path: Path) -> list[tuple[str, yaml.Node]]:
    pairs: list[tuple[str, yaml.Node]] = []
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlFileError(f"{path.name}:{line}: a mapping key must be a plain value")
        if key_node.value in lines:
            raise YamlFileError(f"{path.name}:{line}: mapping key {key_node.value!r} already defined at line "
                                f"{lines[key_node.value]}")
        lines[key_node.value] = line
        pairs.append((key_node.value, value_node))
    return pairs


def _is_plain(node: yaml.ScalarNode) -> bool:
    """Unquoted, not a block: PyYAML marks that style None, libyaml an empty string."""
    return not node.style


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and _is_plain(node) and node.value in _NULLS


def _config_value(node: yaml.Node, path: Path) -> str | Secure | Any:
    if isinstance(node, yaml.ScalarNode):
        return "" if _is_null(node) else node.value
    resolved = _resolve(node, path)
    if isinstance(resolved, dict) and set(resolved) == {"secure"} and isinstance(resolved["secure"], str):
        return Secure(resolved["secure"])
    return resolved


def _resolve(node: yaml.Node | None, path: Path) -> Any:
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        return {key: _resolve(value, path) for key, value in _pairs(node, path)}
    if isinstance(node, yaml.SequenceNode):
        return [_resolve(item, path) for item in node.value]
    text = node.value
    if not _is_plain(node):  # quoted and block scalars are strings
        return text
    if text in _NULLS:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    if text[:1] in "+-0123456789":
        number = _go_number(text.replace("_", ""))
        if number is not None:
            return number
    return text


def _go_number(plain: str) -> int | float | None:
    """go-yaml v3's numbers (underscores already removed): Go integer literals, then floats."""
    try:
        return int(plain, 0)  # decimal, 0x, 0o and 0b, as Go's ParseInt(s, 0, 64)
    except ValueError:
        pass
    if _LEGACY_OCTAL.fullmatch(plain):
        return int(plain, 8)
    if _FLOAT.fullmatch(plain):
        return float(plain)
    return None
