"""X-Ray subsegments for AWS SDK calls, via the X-Ray SDK patching botocore only.

Importing `aws_xray_sdk.core` builds a recorder whose sampler creates two botocore clients,
about 100 ms of cold start. By default (`TELEMETRY_XRAY_PATCH=lazy`) that happens on the
first AWS API call instead of at import, so handlers that never call AWS never pay it;
`eager` patches at import, `off` never patches. Outside Lambda nothing is patched at all:
there is no segment to attach subsegments to, and the SDK would only complain about it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from handlers.telemetry import settings

_state = {"patched": False, "deferred": False}


def patch_botocore_now() -> bool:
    """Patch botocore with the X-Ray SDK; idempotent. Returns whether patching happened."""
    if _state["patched"]:
        return True
    # Inside Lambda the init phase has no segment; without this every call there logs an error.
    os.environ.setdefault("AWS_XRAY_CONTEXT_MISSING", "IGNORE_ERROR")
    from aws_xray_sdk.core import patch, xray_recorder

    xray_recorder.configure(context_missing="IGNORE_ERROR")
    # Calls made outside an invocation (module init) have no segment; the SDK still warns
    # "No segment found" for each of them even with IGNORE_ERROR. Keep only real errors.
    logging.getLogger("aws_xray_sdk").setLevel(logging.ERROR)
    patch(["botocore"])  # never patch_all: it would also wrap requests, httplib, sqlite3...
    _state["patched"] = True
    return True


def _defer_until_first_api_call() -> None:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def first_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
        try:
            patch_botocore_now()
        except Exception:  # tracing must never break the business call
            pass
        return BaseClient._make_api_call(self, operation_name, api_params)

    BaseClient._make_api_call = first_api_call  # type: ignore[method-assign]
    _state["deferred"] = True


def enable(mode: str | None = None, in_lambda: bool | None = None) -> str:
    """Set up botocore patching as configured; returns what was done (for tests and logs)."""
    chosen = mode or settings.xray_patch_mode()
    if not (settings.running_in_lambda() if in_lambda is None else in_lambda) or chosen == "off":
        return "skipped"
    if _state["patched"] or _state["deferred"]:
        return "already"
    if chosen == "eager":
        patch_botocore_now()
        return "patched"
    _defer_until_first_api_call()
    return "deferred"


def is_patched() -> bool:
    return _state["patched"]
