"""Which type tokens exist, so that an assertion on a mistyped one fails instead of passing vacuously.

A count of zero on a misspelt queue type would pass for ever; a test must learn that the token
is wrong. A token is known when the program registered it, when a loaded provider declares it (the
provider SDKs register every resource class they have with the Pulumi runtime), or when the
project's own source declares it as a component type (`super().__init__("platform:...", ...)`);
tokens of a provider's package are only ever taken from the provider, so a string in the source
that merely looks like one cannot make a misspelling valid.
"""
from __future__ import annotations

import difflib
import functools
import os
import re
from pathlib import Path
from typing import Iterable

_SKIPPED = frozenset({"tests", "node_modules", "build", "__pycache__", "venv", "site-packages"})
_TOKEN = re.compile(r"""["']([a-z][\w-]*:[\w/.-]*:[A-Z]\w*)["']""")


def provider_tokens() -> frozenset[str]:
    """Every resource type the loaded provider SDKs declare (read each time: providers load lazily)."""
    from pulumi.runtime import rpc

    tokens: set[str] = set()
    for modules in getattr(rpc, "_RESOURCE_MODULES", {}).values():
        for module in modules:
            info = getattr(module, "mod_info", None)
            if isinstance(info, dict):
                tokens.update(info.get("classes", {}))
    return frozenset(tokens)


@functools.lru_cache(maxsize=None)
def source_tokens(root: Path) -> frozenset[str]:
    """Component type tokens written in the project's Python source (virtualenvs, tests and builds skipped)."""
    found: set[str] = set()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED]
        for file in files:
            if file.endswith(".py"):
                try:
                    found.update(_TOKEN.findall(Path(directory, file).read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError):
                    continue
    return frozenset(found)


def known_tokens(root: Path, registered: Iterable[str]) -> frozenset[str]:
    declared = provider_tokens()
    packages = {token.split(":", 1)[0] for token in declared}
    components = {token for token in source_tokens(root) if token.split(":", 1)[0] not in packages}
    return frozenset({*registered, *declared, *components})


def closest_tokens(token: str, candidates: Iterable[str], limit: int = 5) -> list[str]:
    """The tokens nearest to a mistyped one: by the whole token, and by its last part (`Queue`)."""
    pool = sorted(set(candidates))
    near = difflib.get_close_matches(token, pool, n=limit, cutoff=0.6)
    tail = token.rsplit(":", 1)[-1].lower()
    for candidate in pool:
        if len(near) >= limit:
            break
        if candidate not in near and candidate.rsplit(":", 1)[-1].lower() == tail:
            near.append(candidate)
    if not near:
        near = difflib.get_close_matches(token, pool, n=limit, cutoff=0.3)
    return near
