"""Every rule of the pack, grouped by area in the order the README lists them."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Rule
from . import apigateway, auditing, data_protection, encryption, iam, lambda_, observability, transit


@dataclass(frozen=True)
class Area:
    """The rules CrossGuard runs as one stack policy (see crossguard.py for why areas, not rules)."""

    id: str
    title: str
    rules: tuple[Rule, ...]


AREAS: tuple[Area, ...] = (
    Area("encryption-at-rest", "Data at rest is encrypted with keys of the stack", encryption.RULES),
    Area("encryption-in-transit", "Data in transit is encrypted; the log store admits no anonymous principal",
         transit.RULES),
    Area("iam-least-privilege", "Roles hold named actions on named resources and trust one service", iam.RULES),
    Area("lambda", "Functions are traced, bounded, private and lose no asynchronous event", lambda_.RULES),
    Area("api-gateway", "API stages are traced, logged, throttled, authorized and behind a WAF", apigateway.RULES),
    Area("observability", "Every resource is alarmed, its logs shipped, and it is on a dashboard", observability.RULES),
    Area("data-protection", "Production data survives deletes, replacements and mistakes", data_protection.RULES),
    Area("auditing", "API calls are on a validated trail; API stages drifting from HTTPS or logging are reported",
         auditing.RULES),
)
RULES: tuple[Rule, ...] = tuple(rule for area in AREAS for rule in area.rules)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

if len(RULES_BY_ID) != len(RULES):
    raise ValueError("two rules share an id")
