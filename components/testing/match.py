"""Matchers: patterns a resource's values are compared against, with every difference kept.

A pattern is plain data (dicts, lists, scalars) or a `Matcher`, mixed at any depth. Plain data
means, as in the AWS CDK's assertions module:

- a dict matches an object that has at least those keys, each matching (deep and partial: the
  inputs of a real resource carry many keys a test does not care about);
- a list matches a list of exactly that length, item by item, in order;
- None matches a key that is absent (or null): the engine drops unset inputs, so "not set" is what
  a test means when it writes None;
- anything else must be equal, and a boolean is never equal to a number (Python's `True == 1` would
  let a flag pass for a count).

Matching never stops at the first difference: it walks the whole pattern and keeps every leaf it
checked, so a failure can show how close each candidate came and which keys differ.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from components.testing.values import MISSING, UNKNOWN, Secret, tidy_number

Path = tuple[Any, ...]
#: Path segments that are not keys or indexes: where a matcher looked inside a value.
JSON_SEGMENT = "<json>"
SECRET_SEGMENT = "<secret>"


@dataclass(frozen=True)
class Leaf:
    """One checked value: where it is, what was there, and what was expected of it when it differs."""

    path: Path
    actual: Any
    expected: str | None = None  # None: it matched

    @property
    def ok(self) -> bool:
        return self.expected is None


@dataclass
class MatchResult:
    leaves: list[Leaf] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(leaf.ok for leaf in self.leaves)

    @property
    def failures(self) -> list[Leaf]:
        return [leaf for leaf in self.leaves if not leaf.ok]

    @property
    def passed(self) -> int:
        return sum(1 for leaf in self.leaves if leaf.ok)

    def closeness(self) -> tuple[int, int]:
        """Fewer differences first, then more agreement: how candidates are ranked in a failure."""
        return (len(self.failures), -self.passed)

    def add(self, path: Path, actual: Any, expected: str | None = None) -> "MatchResult":
        self.leaves.append(Leaf(path, actual, expected))
        return self

    def extend(self, other: "MatchResult") -> "MatchResult":
        self.leaves.extend(other.leaves)
        return self


class Matcher:
    """A value test that reports every leaf it checked; subclasses say what they expect and why."""

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.describe()

    def matches(self, actual: Any) -> bool:
        return self.test(actual).ok


def _special(actual: Any) -> str | None:
    """Why a secret or unknown value cannot be compared as if it were plain, or None."""
    if actual is UNKNOWN:
        return "unknown until deployment (Match.unknown() matches it)"
    if isinstance(actual, Secret):
        return "a secret (Match.secret(...) looks inside it)"
    return None


def _what(actual: Any) -> str:
    """What a value is, for "expected X, but the value is ..."."""
    return _special(actual) or ("absent" if actual is MISSING else f"a {type(actual).__name__}")


def literal(value: Any, limit: int = 160) -> str:
    """How an expected or actual value is shown in a failure: compact, matchers by name, never a secret's content."""
    text = _shown(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _shown(value: Any) -> str:
    if isinstance(value, Matcher):
        return value.describe()
    if value is MISSING or value is UNKNOWN or isinstance(value, Secret):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(item) for item in value) + "]"
    value = tidy_number(value)
    if isinstance(value, (str, bool, int, float, type(None))):
        return json.dumps(value)
    return repr(value)


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    return expected == actual


class _Equals(Matcher):
    def __init__(self, value: Any) -> None:
        self.value = value

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        result = MatchResult()
        if _equal(self.value, actual):
            return result.add(path, actual)
        special = _special(actual)
        if special:
            return result.add(path, actual, f"{literal(self.value)}, but the value is {special}")
        return result.add(path, actual, literal(self.value))

    def describe(self) -> str:
        return literal(self.value)


class _Object(Matcher):
    def __init__(self, pattern: Mapping[str, Any], partial: bool, named: bool = False) -> None:
        self.pattern = dict(pattern)
        self.partial = partial
        self.named = named  # written as Match.object_like(...) rather than as a plain dict

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        result = MatchResult()
        if not isinstance(actual, Mapping):
            return result.add(path, actual, f"an object {'like' if self.partial else 'equal to'} "
                                            f"{literal(self.pattern)}, but the value is {_what(actual)}")
        for key, expected in self.pattern.items():
            result.extend(as_matcher(expected, self.partial).test(actual.get(key, MISSING), (*path, key)))
        if not self.partial:
            for key in actual:
                if key not in self.pattern:
                    result.add((*path, key), actual[key], "no such key (Match.exact allows none beyond the pattern)")
        if not self.pattern:
            result.add(path, actual)
        return result

    def describe(self) -> str:
        if self.partial and not self.named:
            return literal(self.pattern)
        return f"Match.{'object_like' if self.partial else 'exact'}({literal(self.pattern)})"


class _Array(Matcher):
    def __init__(self, items: Sequence[Any], partial: bool) -> None:
        self.items = list(items)
        self.partial = partial

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        result = MatchResult()
        if not isinstance(actual, (list, tuple)):
            return result.add(path, actual, f"a list of {len(self.items)}, but the value is {_what(actual)}")
        for index, expected in enumerate(self.items):
            item = actual[index] if index < len(actual) else MISSING
            result.extend(as_matcher(expected, self.partial).test(item, (*path, index)))
        for index in range(len(self.items), len(actual)):
            result.add((*path, index), actual[index],
                       f"no item here: the list should have {len(self.items)} "
                       f"(Match.array_containing(...) allows more)")
        if not self.items and not actual:
            result.add(path, actual)
        return result

    def describe(self) -> str:
        return literal(self.items)


def as_matcher(pattern: Any, partial: bool = True) -> Matcher:
    """A pattern of plain data as a matcher: dicts by their keys (partially unless `partial` is
    False), lists item by item, None as absent, and anything else by equality."""
    if isinstance(pattern, Matcher):
        return pattern
    if isinstance(pattern, Mapping):
        return _Object(pattern, partial)
    if isinstance(pattern, (list, tuple)):
        return _Array(pattern, partial)
    if pattern is None:
        return _Absent()
    return _Equals(pattern)


# -- the matchers users name ----------------------------------------------------------------------
class _AnyValue(Matcher):
    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if actual is MISSING or actual is None:
            return MatchResult().add(path, actual, "any value, but there is none")
        return MatchResult().add(path, actual)

    def describe(self) -> str:
        return "Match.any_value()"


class _Absent(Matcher):
    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if actual is MISSING or actual is None:
            return MatchResult().add(path, actual)
        return MatchResult().add(path, actual, "absent")

    def describe(self) -> str:
        return "Match.absent()"


class _ArrayContaining(Matcher):
    def __init__(self, items: Sequence[Any]) -> None:
        self.items = list(items)

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        result = MatchResult()
        if not isinstance(actual, (list, tuple)):
            return result.add(path, actual, f"a list containing {literal(self.items)}, but the value is "
                                            f"{_what(actual)}")
        matchers = [as_matcher(item) for item in self.items]
        table = [[m.test(item, (*path, index)) for index, item in enumerate(actual)] for m in matchers]
        assignment = _assign([[cell.ok for cell in row] for row in table])
        for row, (matcher, tests) in enumerate(zip(matchers, table)):
            chosen = assignment.get(row)
            if chosen is not None:
                result.extend(tests[chosen])
            elif not tests:
                result.add(path, actual, f"a list containing {matcher.describe()}, but the list is empty")
            else:
                closest = min(tests, key=MatchResult.closeness)
                reason = ("no item matches it" if not any(t.ok for t in tests)
                          else "each item that matches it is needed by another pattern")
                result.add(path, actual, f"an item like {matcher.describe()}: {reason}")
                if not closest.ok:
                    result.extend(closest)
        if not self.items:
            result.add(path, actual)
        return result

    def describe(self) -> str:
        return f"Match.array_containing({', '.join(as_matcher(i).describe() for i in self.items)})"


def _assign(fits: list[list[bool]]) -> dict[int, int]:
    """A largest assignment of patterns to distinct items (bipartite matching by augmenting paths)."""
    owner: dict[int, int] = {}

    def place(row: int, seen: set[int]) -> bool:
        for column, fit in enumerate(fits[row]):
            if fit and column not in seen:
                seen.add(column)
                if column not in owner or place(owner[column], seen):
                    owner[column] = row
                    return True
        return False

    for row in range(len(fits)):
        place(row, set())
    return {row: column for column, row in owner.items()}


class _StringLike(Matcher):
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.regex = re.compile(pattern)

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if isinstance(actual, str) and self.regex.search(actual):
            return MatchResult().add(path, actual)
        special = _special(actual)
        return MatchResult().add(path, actual, f"a string like /{self.pattern}/" + (f", but the value is {special}"
                                                                                    if special else ""))

    def describe(self) -> str:
        return f"Match.string_like({self.pattern!r})"


class _SerializedJson(Matcher):
    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if not isinstance(actual, str):
            return MatchResult().add(path, actual, f"a JSON document, but the value is {_what(actual)}")
        try:
            document = json.loads(actual)
        except ValueError as error:
            return MatchResult().add(path, actual, f"a JSON document, but it does not parse: {error}")
        return as_matcher(self.pattern).test(document, (*path, JSON_SEGMENT))

    def describe(self) -> str:
        return f"Match.serialized_json({literal(self.pattern)})"


class _Not(Matcher):
    def __init__(self, pattern: Any) -> None:
        self.inner = as_matcher(pattern)

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if self.inner.test(actual, path).ok:
            return MatchResult().add(path, actual, f"anything but {self.inner.describe()}")
        return MatchResult().add(path, actual)

    def describe(self) -> str:
        return f"Match.not_({self.inner.describe()})"


class _Secret(Matcher):
    def __init__(self, pattern: Any) -> None:
        self.inner = as_matcher(pattern)

    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if not isinstance(actual, Secret):
            shown = "absent" if actual is MISSING else "in plain text"
            return MatchResult().add(path, actual, f"a secret, but the value is {shown}")
        return self.inner.test(actual.value, (*path, SECRET_SEGMENT))

    def describe(self) -> str:
        return f"Match.secret({self.inner.describe()})"


class _Unknown(Matcher):
    def test(self, actual: Any, path: Path = ()) -> MatchResult:
        if actual is UNKNOWN:
            return MatchResult().add(path, actual)
        return MatchResult().add(path, actual, "a value unknown until deployment")

    def describe(self) -> str:
        return "Match.unknown()"


class Match:
    """The named matchers. Each exists because plain data cannot say what it says."""

    @staticmethod
    def any_value() -> Matcher:
        """Present and not null. For values a test cannot predict but must exist, like a generated id,
        without pinning them (pinning would make the test fail on every unrelated change).
        A secret or an unknown value counts as present."""
        return _AnyValue()

    @staticmethod
    def absent() -> Matcher:
        """The key is not set. A plain None means the same; this name reads better in a pattern and
        is the only way to say it where a literal None would be ambiguous (inside `exact`)."""
        return _Absent()

    @staticmethod
    def array_containing(*items: Any) -> Matcher:
        """A list holding an item for each pattern, each a different item, in any order, among others.
        IAM actions, subscriptions and tags come in an order the test should not depend on."""
        return _ArrayContaining(items)

    @staticmethod
    def object_like(pattern: Mapping[str, Any]) -> Matcher:
        """At least these keys, matched partially at any depth. The default for a dict; named for use
        inside `exact` or `not_`, where the surrounding matcher would otherwise be strict."""
        return _Object(pattern, partial=True, named=True)

    @staticmethod
    def exact(pattern: Any) -> Matcher:
        """Exactly this value: objects with no other keys, at every depth. For the places where an
        extra key is itself the bug, such as a role policy statement gaining a condition-free action."""
        return as_matcher(pattern, partial=False)

    @staticmethod
    def string_like(regex: str) -> Matcher:
        """A string in which the regular expression is found (`re.search`; anchor it with ^ and $).
        ARNs and names embed an account, region or hash that a test should not spell out."""
        return _StringLike(regex)

    @staticmethod
    def serialized_json(pattern: Any) -> Matcher:
        """A string holding a JSON document that matches the pattern. Policy documents, dashboard
        bodies, state machine definitions and redrive policies are strings to the engine; comparing
        them as text would fail on key order and spacing, and say nothing about which key differs."""
        return _SerializedJson(pattern)

    @staticmethod
    def not_(pattern: Any) -> Matcher:
        """Anything the pattern does not match: a wildcard action, a public CIDR, a plain-text value."""
        return _Not(pattern)

    @staticmethod
    def secret(pattern: Any = None) -> Matcher:
        """A value the program marked secret, whose content matches the pattern (any content when
        omitted). Proves both that a value is kept secret and that it is the right one."""
        return _Secret(_AnyValue() if pattern is None else pattern)

    @staticmethod
    def unknown() -> Matcher:
        """A value only the deployment will know (an output the mocks do not compute). Asserting it
        explicitly keeps a test from silently comparing against a placeholder."""
        return _Unknown()
