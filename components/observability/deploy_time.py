"""Values AWS assigns only when it creates a resource, carried through the pure builders as text.

Almost every name on the platform is chosen by us, so alarms and dashboards are built offline from
plain strings. A load balancer is the exception: its CloudWatch dimensions (`app/<name>/<id>`,
`targetgroup/<name>/<id>`) end in an id AWS picks at creation. A `DeployTimeValue` is a `str` whose
text is a stable stand-in, so the builders, the layout and the validators treat it like any other
name; it also holds the real value (a Pulumi output), which the emitters send instead, the way CDK
resolves its tokens at synthesis. `resources/alarms.py` swaps it into alarm dimensions and
`resources/dashboards.py` into dashboard bodies; a stand-in that reaches AWS is refused there.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

#: Every stand-in starts with this, so an emitter can refuse one that lost its value on the way.
MARK = "{{deploy-time:"
#: Labels JSON writes unchanged, so a stand-in is found in a serialised body exactly as it was made.
_LABEL = re.compile(r"^[A-Za-z0-9:._/-]+$")


class DeployTimeValue(str):
    """Text `{{deploy-time:<label>}}` standing in for `value`, which is known once AWS creates a resource."""

    value: Any

    def __new__(cls, label: str, value: Any) -> "DeployTimeValue":
        if not _LABEL.fullmatch(label):
            raise ValueError(f"deploy-time label {label!r}: letters, digits and ':._/-' only")
        text = super().__new__(cls, f"{MARK}{label}}}}}")
        text.value = value
        return text


def deploy_time_values(data: Any) -> dict[str, Any]:
    """Stand-in text -> value, for every `DeployTimeValue` inside nested dicts, lists and tuples."""
    found: dict[str, Any] = {}
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, DeployTimeValue):
            found[str.__str__(item)] = item.value
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


def substitute(text: str, resolved: Mapping[str, str]) -> str:
    """`text` with every stand-in replaced by its resolved value; a stand-in left over is an error."""
    for stand_in, value in resolved.items():
        text = text.replace(stand_in, str(value))
    if MARK in text:
        start = text.index(MARK)
        raise ValueError(f"a deploy-time stand-in lost its value before it reached AWS: "
                         f"{text[start:text.find('}}', start) + 2]}")
    return text


def sent_value(value: Any) -> Any:
    """What an emitter sends for one value: the deploy-time value itself, or the value unchanged."""
    return value.value if isinstance(value, DeployTimeValue) else value
