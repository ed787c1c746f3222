"""Small X-Ray trace header helpers the AWS propagator does not cover.

Lambda adds `Lineage=` to the header to detect recursive loops (Lambda → SQS → same Lambda);
dropping it when re-injecting would disable that protection, so it is carried along.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from opentelemetry.context import create_key

LINEAGE_KEY = create_key("xray-lineage")
MAX_HEADER_LENGTH = 256
# The header exactly as Lambda writes it into _X_AMZN_TRACE_ID (Lineage is `<8 hex>:<count>`).
_LAMBDA_FORM = re.compile(
    r"Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])(?:;Lineage=([0-9a-f]{8}:[0-9]{1,10}))?")


class LambdaTraceHeader(NamedTuple):
    trace_id: int
    parent_id: int
    sampled: bool
    lineage: str | None


def parse_lambda_form(header: str) -> LambdaTraceHeader | None:
    """The header's fields when it is in exactly the form Lambda writes, else None.

    Every invocation parses its header, and the AWS propagator's general parser (split, strip,
    validate each field, then build the context) is a tenth of what `@instrument` costs an
    invocation. Anything unusual (other order, spaces, upper-case hex, more fields, a zero id)
    is None here and goes to the propagator, which decides exactly as before; a property test
    checks that both agree wherever this one answers.
    """
    found = _LAMBDA_FORM.fullmatch(header)
    if found is None:
        return None
    trace_id, parent_id = int(found[1] + found[2], 16), int(found[3], 16)
    if not trace_id or not parent_id:
        return None
    return LambdaTraceHeader(trace_id, parent_id, found[4] == "1", found[5])


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
