"""Small X-Ray trace header helpers the AWS propagator does not cover.

Lambda adds `Lineage=` to the header to detect recursive loops (Lambda → SQS → same Lambda);
dropping it when re-injecting would disable that protection, so it is carried along.
"""

from __future__ import annotations

from opentelemetry.context import create_key

LINEAGE_KEY = create_key("xray-lineage")
MAX_HEADER_LENGTH = 256


def lineage_of(header: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.partition("=")
        if key.strip() == "Lineage" and value.strip():
            return value.strip()
    return None


def with_lineage(header: str, lineage: str | None) -> str:
    if not lineage or "Lineage=" in header:
        return header
    return f"{header};Lineage={lineage}"
