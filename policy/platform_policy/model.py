"""The shape every rule reads: a stack of resources, whether CrossGuard or the offline preview made it.

Rules are plain functions `Stack -> Iterable[Finding]`. CrossGuard hands a policy its resources as
`PolicyResource`s (see `crossguard.py`); the tests hand the same rules the offline preview's recorded
resources. Both are turned into `Resource`s first, so a rule cannot tell which engine it runs under.

Values a `pulumi preview` cannot know yet (the ARN of a resource still to be created) arrive as
`UNKNOWN`. A rule treats an unknown value as compliant: it cannot judge it at preview, and the same
rule judges the real value when `pulumi up` runs the pack again.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence


class _Unknown:
    """A value only known after deployment; truthy, equal to nothing but itself."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


@dataclass(frozen=True)
class Options:
    """The resource options that decide what a replacement or a destroy does."""

    protect: bool = False
    delete_before_replace: bool | None = None


@dataclass(frozen=True)
class Resource:
    type: str
    name: str                      # the logical name
    props: Mapping[str, Any]       # inputs and known outputs, camelCase as the engine has them
    parent: str | None = None      # the parent's logical name
    options: Options = Options()
    urn: str | None = None
    #: Input property -> URNs of the resources its value came from (ids that only the engine can resolve).
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def get(self, *path: str | int, default: Any = None) -> Any:
        """A nested property, or `default` when any step is missing (UNKNOWN stays UNKNOWN)."""
        value: Any = self.props
        for step in path:
            if is_unknown(value):
                return UNKNOWN
            if isinstance(step, int):
                if not isinstance(value, (list, tuple)) or len(value) <= step:
                    return default
                value = value[step]
            else:
                if not isinstance(value, Mapping) or step not in value:
                    return default
                value = value[step]
        return value

    @property
    def tags(self) -> Mapping[str, str]:
        tags = self.props.get("tags")
        return tags if isinstance(tags, Mapping) else {}

    @property
    def physical_name(self) -> Any:
        for key in ("name", "alarmName", "dashboardName", "ruleName", "groupName", "layerName", "bucket",
                    "domainName"):
            if key in self.props:
                return self.props[key]
        return None

    def describe(self) -> str:
        physical = self.physical_name
        shown = f" ({physical})" if isinstance(physical, str) and physical != self.name else ""
        return f"{self.type.rsplit(':', 1)[-1]} {self.name}{shown}"


@dataclass(frozen=True)
class Finding:
    """One violation: the resource it is about (None: the stack as a whole) and what is wrong with it."""

    resource: Resource | None
    detail: str


@dataclass(frozen=True)
class Rule:
    """A policy: what it requires, why, how to fix a violation, and the controls it maps to."""

    id: str
    title: str
    why: str
    fix: str
    check: Callable[["Stack"], Iterable[Finding]]
    fsbp: tuple[str, ...] = ()         # AWS Foundational Security Best Practices control ids
    awsguard: tuple[str, ...] = ()     # the @pulumi/awsguard policies it matches
    severity: str = "high"

    def findings(self, stack: "Stack") -> list[Finding]:
        """The rule's findings; a value of a shape the rule cannot read fails closed, as one finding.

        Under CrossGuard an exception would abort the whole policy area with a bare stack trace; a
        stack the rule cannot judge is reported instead, so a mandatory pack still stops the update.
        """
        try:
            return list(self.check(stack))
        except (TypeError, AttributeError, ValueError, KeyError, IndexError) as error:
            return [Finding(None, f"cannot be evaluated: a resource holds a value of an unexpected shape "
                                  f"({type(error).__name__}: {error})")]

    def message(self, finding: Finding) -> str:
        """What CrossGuard and the tests print: the resource, the rule, why it matters, how to fix it."""
        where = finding.resource.describe() if finding.resource is not None else "the stack"
        controls = f" [{', '.join(self.fsbp)}]" if self.fsbp else ""
        return f"{where}: {finding.detail} (rule {self.id}{controls}). Why: {self.why} Fix: {self.fix}"


@dataclass
class Stack:
    """Every resource of one stack, with the look-ups rules share."""

    resources: Sequence[Resource]
    _by_type: dict[str, list[Resource]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for resource in self.resources:
            self._by_type.setdefault(resource.type, []).append(resource)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self._by_type.get(t, [])]

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    @cached_property
    def environment(self) -> str | None:
        """From the tags every tagged resource carries; None when no resource says (a foreign stack)."""
        for resource in self.resources:
            value = resource.tags.get("platform:environment")
            if isinstance(value, str):
                return value
        return None

    @cached_property
    def by_arn(self) -> dict[str, Resource]:
        found: dict[str, Resource] = {}
        for resource in self.resources:
            for key in ("arn", "streamArn"):
                value = resource.props.get(key)
                if isinstance(value, str):
                    found.setdefault(value, resource)
        return found

    @cached_property
    def by_identity(self) -> dict[str, Resource]:
        """Custom resources by every identifier another resource may use for them: ARN, URL, name, id."""
        found: dict[str, Resource] = {}
        for resource in self.resources:
            if not resource.type.startswith("aws:"):
                continue
            for key in ("arn", "url", "id", "name", "bucket", "functionName", "domainName"):
                value = resource.props.get(key)
                if isinstance(value, str) and value:
                    found.setdefault(value, resource)
        return found

    def find(self, identifier: Any) -> Resource | None:
        if not isinstance(identifier, str):
            return None
        return self.by_identity.get(identifier) or self.by_arn.get(identifier)

    @cached_property
    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources if r.urn}

    def sources(self, resource: Resource, prop: str) -> list[Resource]:
        """The resources the value of `resource.props[prop]` came from (its property dependencies)."""
        return [self.by_urn[urn] for urn in resource.dependencies.get(prop, ()) if urn in self.by_urn]

    @cached_property
    def children(self) -> dict[str, list[Resource]]:
        found: dict[str, list[Resource]] = {}
        for resource in self.resources:
            if resource.parent is not None:
                found.setdefault(resource.parent, []).append(resource)
        return found


def listed(value: Any) -> list[Any]:
    """IAM allows a string or a list in Action, Resource and Principal."""
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def policy_document(value: Any) -> dict[str, Any] | None:
    """A policy as the provider holds it: a JSON string (or, from some SDKs, already a mapping)."""
    if is_unknown(value) or value is None:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def statements(value: Any) -> list[dict[str, Any]]:
    document = policy_document(value)
    if document is None:
        return []
    return [s for s in listed(document.get("Statement")) if isinstance(s, Mapping)]
