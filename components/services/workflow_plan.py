"""Pure planning for workflows: placeholders in an Amazon States Language definition, and its checks.

A definition is written as a Python dict with `${function:<task>}` and `${topic:<name>}` where an
ARN belongs; the component fills them in. Because every resource a state calls is a placeholder,
the role can be derived from the definition itself: it may invoke exactly the task functions and
publish to exactly the named topics. The structural checks catch, before anything is created,
what Step Functions would refuse at deploy time (a Next that names no state, a state with neither
Next nor End) or what would make a workflow run for a year (no TimeoutSeconds).
"""
from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

PLACEHOLDER = re.compile(r"\$\{(function|topic):([a-z][a-z0-9_-]*)\}")
STATE_TYPES = frozenset({"Task", "Choice", "Parallel", "Map", "Wait", "Pass", "Succeed", "Fail"})
TERMINAL = frozenset({"Succeed", "Fail"})
#: Step Functions' limit for a standard workflow's execution: one year.
MAX_TIMEOUT_SECONDS = 365 * 24 * 3600


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _strings(item)


def placeholders(definition: Mapping[str, Any]) -> set[tuple[str, str]]:
    """Every (kind, name) the definition refers to."""
    return {(m.group(1), m.group(2)) for text in _strings(definition) for m in PLACEHOLDER.finditer(text)}


def substitute(node: Any, values: Mapping[tuple[str, str], str]) -> Any:
    """The definition with every placeholder replaced by its ARN."""
    if isinstance(node, str):
        return PLACEHOLDER.sub(lambda m: values[(m.group(1), m.group(2))], node)
    if isinstance(node, Mapping):
        return {key: substitute(value, values) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [substitute(item, values) for item in node]
    return node


def _state_machine_problems(machine: Mapping[str, Any], where: str) -> list[str]:
    states = machine.get("States")
    if not isinstance(states, Mapping) or not states:
        return [f"{where}: States must be a non-empty object"]
    found = []
    if machine.get("StartAt") not in states:
        found.append(f"{where}: StartAt {machine.get('StartAt')!r} is not a state")
    for name, state in states.items():
        here = f"{where} state {name!r}"
        if not isinstance(state, Mapping) or state.get("Type") not in STATE_TYPES:
            found.append(f"{here}: Type must be one of {', '.join(sorted(STATE_TYPES))}")
            continue
        kind = state["Type"]
        targets = [state.get("Next"), state.get("Default")]
        targets += [c.get("Next") for c in state.get("Catch", []) if isinstance(c, Mapping)]
        targets += [c.get("Next") for c in state.get("Choices", []) if isinstance(c, Mapping)]
        for target in targets:
            if target is not None and target not in states:
                found.append(f"{here}: goes to {target!r}, which is not a state")
        if kind not in TERMINAL and kind != "Choice" and "Next" not in state and not state.get("End"):
            found.append(f"{here}: needs Next or End")
        if kind == "Choice" and not state.get("Choices"):
            found.append(f"{here}: a Choice needs Choices")
        if kind == "Parallel":
            for index, branch in enumerate(state.get("Branches", [])):
                found += _state_machine_problems(branch, f"{here} branch {index}")
        if kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(processor, Mapping):
                found += _state_machine_problems(processor, f"{here} item processor")
    return found


def definition_problems(definition: Mapping[str, Any], tasks: set[str], topics: set[str]) -> list[str]:
    found = _state_machine_problems(definition, "definition")
    timeout = definition.get("TimeoutSeconds")
    if not isinstance(timeout, int) or not 1 <= timeout <= MAX_TIMEOUT_SECONDS:
        found.append("definition: TimeoutSeconds must be set (1 s to one year); without it a stuck execution "
                     "runs for a year and its duration alarm has nothing to compare with")
    for kind, name in sorted(placeholders(definition)):
        known = tasks if kind == "function" else topics
        if name not in known:
            found.append(f"definition: ${{{kind}:{name}}} names no {'task' if kind == 'function' else 'topic'} "
                         f"of this workflow (known: {', '.join(sorted(known)) or 'none'})")
    unused = tasks - {name for kind, name in placeholders(definition) if kind == "function"}
    if unused:
        found.append(f"tasks: {sorted(unused)} are never called by the definition")
    return found
