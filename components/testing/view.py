"""A plain, synchronous view of one program run under the mocks, and the assertions made on it.

Everything the engine received is already resolved when a view exists (the run used
`preview=False`, so every `apply` ran): a test reads `view.get("orders-api-function").inputs["timeout"]`
as it would read a dict, with no `apply`, future or event loop. The assertions (`has_resource`,
`resource_count_is`, `has_output`, ...) match patterns (components.testing.match) and, when they
fail, show the closest resources with the differing values marked.
"""
from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from components.preview.recorder import Registration
from components.preview.runner import PreviewResult
from components.testing.match import Match, MatchResult, as_matcher, literal
from components.testing.report import closest
from components.testing.types import closest_tokens, known_tokens
from components.testing.values import UNKNOWN, plain_inputs, plain_outputs, plain_stack_output

_UNSET = object()


class KitAssertionError(AssertionError):
    """An assertion of the kit failed; the message holds what was expected and what came closest."""


class UnknownTypeError(KitAssertionError):
    """The type token is registered by nothing the kit knows of: almost always a misspelling."""


class ResourceView:
    """One registered resource: its identity, tree position, options, and resolved inputs and outputs.

    Inputs are what the engine received (camelCase, unset inputs absent); outputs are the inputs
    plus what the mocks computed (ARNs, ids, URLs). Both are converted on first use and kept.
    """

    __slots__ = ("registration", "id", "_inputs", "_outputs")

    def __init__(self, registration: Registration, resource_id: str | None = None) -> None:
        self.registration = registration
        self.id = resource_id
        self._inputs: dict[str, Any] | None = None
        self._outputs: dict[str, Any] | None = None

    type = property(lambda self: self.registration.type, doc="The type token, e.g. `aws:sqs/queue:Queue`.")
    name = property(lambda self: self.registration.name, doc="The logical name.")
    parent = property(lambda self: self.registration.parent, doc="The parent's logical name; None under the stack.")
    urn = property(lambda self: self.registration.urn)
    custom = property(lambda self: self.registration.custom, doc="False for a component resource.")
    options = property(lambda self: self.registration.options,
                       doc="protect, delete_before_replace, retain_on_delete, ignore_changes, replace_on_changes.")
    dependencies = property(lambda self: self.registration.dependencies,
                            doc="Input property -> URNs of the resources its value came from.")

    @property
    def inputs(self) -> dict[str, Any]:
        if self._inputs is None:
            self._inputs = plain_inputs(self.registration.inputs, self.registration.outputs)
        return self._inputs

    @property
    def outputs(self) -> dict[str, Any]:
        if self._outputs is None:
            outputs = plain_outputs(self.registration.outputs)
            for key, value in self.inputs.items():  # the mocks see an unknown input as None
                if value is UNKNOWN and outputs.get(key) is None:
                    outputs[key] = UNKNOWN
            self._outputs = outputs
        return self._outputs

    def facets(self) -> Mapping[str, Any]:
        """What a `has_resource` pattern can name; computed only for the facets it names."""
        return _Facets(self)

    def __repr__(self) -> str:
        return f"<{self.type} {self.name!r}>"


class _Facets(Mapping[str, Any]):
    _KEYS = ("name", "parent", "inputs", "outputs", "options")

    def __init__(self, resource: ResourceView) -> None:
        self.resource = resource

    def __getitem__(self, key: str) -> Any:
        if key == "options":
            o = self.resource.options
            return {"protect": o.protect, "delete_before_replace": o.delete_before_replace,
                    "retain_on_delete": o.retain_on_delete, "ignore_changes": list(o.ignore_changes),
                    "replace_on_changes": list(o.replace_on_changes)}
        if key in self._KEYS:
            return getattr(self.resource, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._KEYS)

    def __len__(self) -> int:
        return len(self._KEYS)


def _pattern(props: Any, name: Any, parent: Any, outputs: Any, options: Any) -> dict[str, Any]:
    pattern: dict[str, Any] = {}
    for key, value in (("name", name), ("parent", parent), ("inputs", props), ("outputs", outputs),
                       ("options", options)):
        if value is not _UNSET:
            pattern[key] = Match.absent() if key == "parent" and value is None else value
    return pattern


class StackView:
    """The resources and outputs of one run, with assertions that explain their failures."""

    def __init__(self, result: PreviewResult, *, root: Path, ids: Mapping[str, str] | None = None) -> None:
        self.result = result
        self.root = root
        self.stack = result.stack
        self.notes = list(result.notes)
        ids = ids or {}
        self.resources: tuple[ResourceView, ...] = tuple(ResourceView(r, ids.get(r.urn)) for r in result.resources)
        self.outputs: dict[str, Any] = {key: plain_stack_output(value) for key, value in result.outputs.items()}
        self._known: frozenset[str] | None = None
        self._index()

    def _index(self) -> None:
        self._by_type: dict[str, list[ResourceView]] = {}
        self._by_name: dict[str, list[ResourceView]] = {}
        self._children: dict[str | None, list[ResourceView]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)
            self._by_name.setdefault(resource.name, []).append(resource)
            self._children.setdefault(resource.parent, []).append(resource)

    def with_result(self, result: PreviewResult) -> "StackView":
        """A view of a changed copy of this run's result (a test breaking one thing on purpose).

        Registrations the copy kept as they were keep their views, so what was already converted to
        plain values is not converted again.
        """
        derived = type(self).__new__(type(self))
        kept = {id(r.registration): r for r in self.resources}
        derived.__init__(result, root=self.root)
        derived.resources = tuple(kept.get(id(r), view) for r, view in zip(result.resources, derived.resources))
        derived._index()
        return derived

    def __iter__(self) -> Iterator[ResourceView]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def __repr__(self) -> str:
        return f"<StackView {self.stack}: {len(self.resources)} resources>"

    # -- reading ----------------------------------------------------------------------------------
    def types(self) -> set[str]:
        """The type tokens this run registered."""
        return set(self._by_type)

    def of_type(self, type_token: str) -> list[ResourceView]:
        """Every resource of the type, in registration order; a type nothing declares is an error."""
        self._check_type(type_token)
        return list(self._by_type.get(type_token, ()))

    def find(self, type_token: str, props: Any = _UNSET, *, name: Any = _UNSET, parent: Any = _UNSET,
             outputs: Any = _UNSET, options: Any = _UNSET) -> list[ResourceView]:
        """The resources of the type whose inputs match `props` (and name, parent, outputs, options)."""
        matcher = as_matcher(_pattern(props, name, parent, outputs, options))
        return [r for r in self.of_type(type_token) if matcher.test(r.facets()).ok]

    def get(self, name: str, type_token: str | None = None) -> ResourceView:
        """The one resource with this logical name (and type, when a component shares the name)."""
        __tracebackhide__ = True
        found = self._by_name.get(name, [])
        if type_token is not None:
            self._check_type(type_token)
            found = [r for r in found if r.type == type_token]
        if len(found) == 1:
            return found[0]
        if not found:
            near = difflib.get_close_matches(name, list(self._by_name), n=5, cutoff=0.5)
            hint = f"; the closest names are: {', '.join(near)}" if near else ""
            of_type = f" of type {type_token}" if type_token else ""
            raise KitAssertionError(f"stack {self.stack}: no resource{of_type} is named {name!r}{hint}")
        raise KitAssertionError(f"stack {self.stack}: {len(found)} resources are named {name!r} "
                                f"({', '.join(r.type for r in found)}); pass the type to choose one")

    def children(self, name: str | None) -> list[ResourceView]:
        """The resources whose parent is `name` (None: those directly under the stack)."""
        return list(self._children.get(name, ()))

    def descendants(self, name: str, type_token: str | None = None) -> list[ResourceView]:
        """Everything below `name` at any depth, optionally of one type."""
        if type_token is not None:
            self._check_type(type_token)
        found: list[ResourceView] = []
        pending, seen = [name], {name}
        while pending:
            for child in self._children.get(pending.pop(), ()):
                found.append(child)
                if child.name not in seen:  # a component and a resource may share a logical name
                    seen.add(child.name)
                    pending.append(child.name)
        return [r for r in found if type_token is None or r.type == type_token]

    def ancestors(self, name: str) -> list[str]:
        """The parent chain of the named resource, nearest first, up to one directly under the stack."""
        chain: list[str] = []
        parent = self.get(name).parent
        while parent is not None and parent not in chain:
            chain.append(parent)
            owners = self._by_name.get(parent, [])
            parent = owners[0].parent if owners else None
        return chain

    def tree(self, root: str | None = None) -> str:
        """The parent and child tree as indented text (the whole stack, or below `root`)."""
        lines: list[str] = []
        seen: set[int] = set()

        def walk(resource: ResourceView, depth: int) -> None:
            if id(resource) in seen:
                return
            seen.add(id(resource))
            lines.append(f"{'  ' * depth}{resource.name} ({resource.type})")
            if resource.custom and resource.name not in self._children:
                return
            for child in self._children.get(resource.name, ()):
                if child is not resource:
                    walk(child, depth + 1)

        for top in (self._children.get(None, ()) if root is None else [self.get(root)]):
            walk(top, 0)
        return "\n".join(lines)

    def inventory(self) -> list[dict[str, Any]]:
        """The `--json` inventory: type, name, parent and inputs (secrets masked), sorted."""
        return self.result.inventory()

    # -- assertions ---------------------------------------------------------------------------------
    def has_resource(self, type_token: str, props: Any = _UNSET, *, name: Any = _UNSET, parent: Any = _UNSET,
                     outputs: Any = _UNSET, options: Any = _UNSET) -> ResourceView:
        """At least one resource of the type matches; returns the first that does.

        `props` is matched against the inputs (a dict matches partially, at any depth); `name`,
        `parent`, `outputs` and `options` narrow the match the same way.
        """
        __tracebackhide__ = True
        pattern = _pattern(props, name, parent, outputs, options)
        candidates = self.of_type(type_token)
        matcher = as_matcher(pattern)
        results = [(r, matcher.test(r.facets())) for r in candidates]
        for resource, result in results:
            if result.ok:
                return resource
        raise KitAssertionError(self._no_match(type_token, pattern, results))

    def resource_count_is(self, type_token: str, count: int, props: Any = _UNSET, *, name: Any = _UNSET,
                          parent: Any = _UNSET, outputs: Any = _UNSET, options: Any = _UNSET) -> list[ResourceView]:
        """Exactly `count` resources of the type (that match, when a pattern is given); returns them."""
        __tracebackhide__ = True
        pattern = _pattern(props, name, parent, outputs, options)
        matcher = as_matcher(pattern)
        results = [(r, matcher.test(r.facets())) for r in self.of_type(type_token)]
        matched = [r for r, result in results if result.ok]
        if len(matched) == count:
            return matched
        which = f" matching {literal(pattern)}" if pattern else ""
        names = ", ".join(r.name for r in matched[:20]) + (" ..." if len(matched) > 20 else "")
        message = (f"stack {self.stack}: expected {count} {type_token}{which}, found {len(matched)}"
                   + (f": {names}" if matched else ""))
        misses = [(f"{r.name} (parent {r.parent})", result) for r, result in results if not result.ok]
        if pattern and len(matched) < count and misses:
            message += "\n\nThe closest that do not match:\n\n" + closest(misses)
        raise KitAssertionError(message)

    def has_output(self, name: str, pattern: Any = _UNSET) -> Any:
        """The stack exports `name`, matching the pattern when one is given; returns its value."""
        __tracebackhide__ = True
        if name not in self.outputs:
            near = difflib.get_close_matches(name, list(self.outputs), n=3, cutoff=0.5)
            raise KitAssertionError(f"stack {self.stack}: no output {name!r}; it exports "
                                    f"{', '.join(sorted(self.outputs)) or 'nothing'}"
                                    + (f" (closest: {', '.join(near)})" if near else ""))
        value = self.outputs[name]
        if pattern is not _UNSET:
            result = as_matcher(pattern).test(value, (name,))
            if not result.ok:
                raise KitAssertionError(f"stack {self.stack}: output {name!r} does not match "
                                        f"{literal(pattern)}\n\n" + closest([(f"output {name}", result)]))
        return value

    # -- helpers --------------------------------------------------------------------------------------
    def _check_type(self, type_token: str) -> None:
        __tracebackhide__ = True
        if type_token in self._by_type:
            return
        if self._known is None:
            self._known = known_tokens(self.root, self._by_type)
        if type_token in self._known:
            return
        near = closest_tokens(type_token, self._by_type) or closest_tokens(type_token, self._known)
        raise UnknownTypeError(
            f"stack {self.stack}: {type_token!r} is not a type this program registers, nor one a loaded "
            f"provider or the project's components declare"
            + (f"; did you mean {' or '.join(near)}?" if near else "")
            + " (StackView.types() lists the registered ones)")

    def _no_match(self, type_token: str, pattern: dict[str, Any],
                  results: list[tuple[ResourceView, MatchResult]]) -> str:
        head = f"stack {self.stack}: no {type_token} matches {literal(pattern)}"
        if not results:
            near = closest_tokens(type_token, self._by_type)
            return (f"{head}: the program registered none of that type"
                    + (f" (registered types close to it: {', '.join(near)})" if near else ""))
        labelled = [(f"{r.name} (parent {r.parent})", result) for r, result in results]
        count = len(results)
        return (f"{head}.\n{count} {'was' if count == 1 else 'were'} registered; the closest:\n\n"
                + closest(labelled))

