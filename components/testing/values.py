"""The plain values a test sees: what the engine received, with secrets and unknowns made explicit.

The recorder keeps what the engine would receive: inputs with secrets masked as a string and
unknown values as the SDK's `Unknown` objects; outputs as the mocks returned them, with secrets
still wrapped in the engine's signature dictionaries. A test should be able to read all of it as
plain Python, and still tell the three special cases apart from ordinary values:

- a **secret** is a `Secret` holding its value, so a test can check both that a value is secret and
  what it is, and a printed failure never shows it (its repr is `[secret]`);
- an **unknown** value (known only once deployed) is the `UNKNOWN` singleton, never `None`, so an
  assertion cannot pass by accident on a value nobody knows yet;
- a key the resource does not have is `MISSING` inside the matchers, apart from an explicit None.
"""
from __future__ import annotations

import math
from typing import Any

from pulumi.output import Unknown as _EngineUnknown
from pulumi.runtime import rpc

from components.preview.recorder import SECRET_MASK


class _Singleton:
    __slots__ = ("_label",)

    def __init__(self, label: str) -> None:
        self._label = label

    def __repr__(self) -> str:
        return self._label

    def __reduce__(self) -> str:  # copies and pickles keep identity
        return self._label.strip("<>").upper()

    def __deepcopy__(self, memo: dict[int, Any]) -> "_Singleton":
        return self

    def __copy__(self) -> "_Singleton":
        return self


#: A value the engine only learns at deployment (an output of a resource the mocks did not compute).
UNKNOWN = _Singleton("<unknown>")
#: What a matcher is given for a key the actual object does not have.
MISSING = _Singleton("<missing>")
#: The value of a secret stack output: the runner keeps only the fact that it is secret.
HIDDEN = _Singleton("<hidden>")


class Secret:
    """A value the program marked secret; equal only to another Secret with an equal value.

    It is deliberately not equal to its plain value: `inputs["endpoint"] == "ops@example.com"` must
    fail when the endpoint is secret, because a test that passes either way cannot notice that a
    secret was leaked into plain config. Match it with `Match.secret(...)` or compare `.value`.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("secret", repr(type(self.value))))

    def __repr__(self) -> str:
        return SECRET_MASK


def is_secret_wrapper(value: Any) -> bool:
    return isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig


def plain_outputs(value: Any) -> Any:
    """A resource's recorded state (outputs echo the inputs), with secret wrappers and assets made plain."""
    if isinstance(value, dict):
        if is_secret_wrapper(value):
            return Secret(plain_outputs(value.get("value")))
        return {key: plain_outputs(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_outputs(item) for item in value]
    if isinstance(value, _EngineUnknown):
        return UNKNOWN
    path = getattr(value, "path", None)
    if path is not None and type(value).__name__ in ("FileArchive", "FileAsset"):
        return {"path": str(path)}
    return value


def plain_inputs(masked: Any, state: Any) -> Any:
    """The recorded inputs (secrets masked) with each mask replaced by the secret the state holds there.

    The mocks echo every input into the resource's state, where the secret is still wrapped, so the
    two walked side by side give back each secret without a second deserialisation of the request.
    """
    if isinstance(masked, dict):
        sub = state if isinstance(state, dict) else {}
        return {key: plain_inputs(item, sub.get(key)) for key, item in masked.items()}
    if isinstance(masked, list):
        sub = state if isinstance(state, (list, tuple)) and len(state) == len(masked) else [None] * len(masked)
        return [plain_inputs(item, raw) for item, raw in zip(masked, sub)]
    if isinstance(masked, _EngineUnknown):
        return UNKNOWN
    if masked == SECRET_MASK and is_secret_wrapper(state):
        return Secret(plain_outputs(state.get("value")))
    return masked


def plain_stack_output(value: Any) -> Any:
    """A stack output as the runner resolved it: a secret one is kept only as the fact that it is secret."""
    if value == SECRET_MASK:
        return Secret(HIDDEN)
    return plain_outputs(value)


def tidy_number(value: Any) -> Any:
    """The engine sends every number as a float; an integral one reads better, and diffs more stably, as an int."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value
