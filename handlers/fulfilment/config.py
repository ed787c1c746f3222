"""The tasks' environment (docs/cafe.md), checked so a bad value fails with its name, not a KeyError."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from handlers.fulfilment.errors import ConfigurationError

DEFAULT_FAILURE_THRESHOLD = 5
DEFAULT_OPEN_SECONDS = 30.0
MAX_OPEN_SECONDS = 3600.0
LOOPBACK_NAMES = frozenset(("localhost",))


@dataclass(frozen=True)
class PaymentSettings:
    provider_url: str  # without a trailing slash
    circuit_table: str
    failure_threshold: int
    open_seconds: float


def required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"{name} is not set")
    return value


def stock_table(environ: Mapping[str, str] = os.environ) -> str:
    return required(environ, "STOCK_TABLE")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def provider_url(value: str) -> str:
    """HTTPS only, because card payments travel on it; plain HTTP is allowed to loopback
    addresses alone, where a local fake of the provider listens in tests."""
    parts = urlsplit(value)
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http"):
        raise ConfigurationError(f"PAYMENT_PROVIDER_URL must be an https:// URL, not {value!r}")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigurationError(f"PAYMENT_PROVIDER_URL must use https:// (plain http only to a loopback address), not {value!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigurationError("PAYMENT_PROVIDER_URL must not carry a query, a fragment or credentials")
    return value.rstrip("/")


def _number(environ: Mapping[str, str], name: str, default: float, low: float, high: float, integer: bool) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number of seconds"
        raise ConfigurationError(f"{name} must be {kind} from {low:g} to {high:g}, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be from {low:g} to {high:g}, not {raw!r}")
    return value


def payment_settings(environ: Mapping[str, str] = os.environ) -> PaymentSettings:
    return PaymentSettings(
        provider_url=provider_url(required(environ, "PAYMENT_PROVIDER_URL")),
        circuit_table=required(environ, "CIRCUIT_TABLE"),
        failure_threshold=int(_number(environ, "CIRCUIT_FAILURE_THRESHOLD", DEFAULT_FAILURE_THRESHOLD, 1, 1000, integer=True)),
        open_seconds=_number(environ, "CIRCUIT_OPEN_SECONDS", DEFAULT_OPEN_SECONDS, 1, MAX_OPEN_SECONDS, integer=False),
    )
