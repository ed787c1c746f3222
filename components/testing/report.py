"""How a failed assertion reads: what was expected, and the closest things found, differences marked.

Saying only "no resource matched" sends the reader to a debugger. Like the AWS CDK's assertions
module, a failure here shows the candidates that came closest, each as the part of its values the
pattern looked at, with `!!` in the margin of every line that differs and what was expected there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from components.testing.match import JSON_SEGMENT, SECRET_SEGMENT, Leaf, MatchResult, literal

#: How many of the closest candidates a failure shows.
CLOSEST = 3


@dataclass
class _Node:
    leaves: list[Leaf] = field(default_factory=list)
    children: dict[Any, "_Node"] = field(default_factory=dict)


def _tree(leaves: Sequence[Leaf]) -> _Node:
    root = _Node()
    for leaf in leaves:
        node = root
        for segment in leaf.path:
            node = node.children.setdefault(segment, _Node())
        node.leaves.append(leaf)
    return root


def _label(segment: Any) -> str:
    if segment == JSON_SEGMENT:
        return "(as JSON) "
    if segment == SECRET_SEGMENT:
        return "(secret) "
    if isinstance(segment, int):
        return f"[{segment}] "
    return f"{literal(segment)}: "


def _render(node: _Node, depth: int, label: str, lines: list[str]) -> None:
    """One node: its own checked values on its line(s), then its children in braces, one level deeper.

    A value read as JSON or inside a secret is shown as `"key": (as JSON) {`, on the key's line.
    """
    while not node.leaves and len(node.children) == 1 and next(iter(node.children)) in (JSON_SEGMENT, SECRET_SEGMENT):
        segment, node = next(iter(node.children.items()))
        label += _label(segment)
    pad = "  " * depth
    for leaf in node.leaves:
        value = f"{pad}{label}{literal(leaf.actual)}"
        lines.append(f"   {value}" if leaf.ok else f"!! {value}    <- expected {leaf.expected}")
    if not node.children:
        return
    lines.append(f"   {pad}{label}{{")
    for segment, child in node.children.items():
        _render(child, depth + 1, _label(segment), lines)
    lines.append(f"   {pad}}}")


def render_result(result: MatchResult) -> list[str]:
    """The values a pattern looked at, one per line, each difference marked `!!` with its expectation."""
    lines: list[str] = []
    root = _tree(result.leaves)
    for leaf in root.leaves:
        lines.append(f"   {literal(leaf.actual)}" if leaf.ok else f"!! {literal(leaf.actual)}    <- expected {leaf.expected}")
    for segment, child in root.children.items():
        _render(child, 0, _label(segment), lines)
    return lines


def _rank(result: MatchResult) -> tuple[int, int, int]:
    """A candidate whose name and parent match is the one the test meant, however its values differ;
    then fewer differences first, then more agreement."""
    identity = sum(1 for leaf in result.failures if leaf.path[:1] in (("name",), ("parent",)))
    return (identity, *result.closeness())


def closest(candidates: Sequence[tuple[str, MatchResult]], limit: int = CLOSEST) -> str:
    """The `limit` candidates that came closest, best first, each rendered with its differences."""
    ranked = sorted(candidates, key=lambda item: _rank(item[1]))[:limit]
    blocks = []
    for label, result in ranked:
        differ = len(result.failures)
        checks = len(result.leaves)
        heading = f"{label}: {differ} of {checks} checked value{'s' if checks != 1 else ''} differ{'s' if differ == 1 else ''}"
        blocks.append("\n".join([heading, *("  " + line for line in render_result(result))]))
    more = len(candidates) - len(ranked)
    tail = f"\n({more} more not shown)" if more > 0 else ""
    return "\n\n".join(blocks) + tail
