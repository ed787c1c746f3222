"""The environment variables the components set for a handler (docs/cafe.md), read with a clear error.

Read at use, not at import: a missing variable then fails the invocation (or the record) with a
message naming it, instead of an import error that hides which setting the component forgot.
"""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigurationError(RuntimeError):
    """A variable the component sets is missing or invalid; the message names it."""


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set; the component must set it (docs/cafe.md)")
    return value


def time_zone(name: str) -> tuple[str, ZoneInfo]:
    """The IANA zone a variable names (e.g. CAFE_TIME_ZONE = Europe/Paris), with its name."""
    zone_name = required(name)
    try:
        return zone_name, ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigurationError(f"{name} {zone_name!r} is not an IANA time zone") from error
