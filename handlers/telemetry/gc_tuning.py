"""Keep the garbage collector off the long-lived init heap inside Lambda.

After boto3 has loaded its service models the heap holds a few hundred thousand objects that
live as long as the process. Every full collection walks all of them: about 30-50 ms on a
small Lambda, and one is typically triggered by the next few tens of thousands of allocations,
which is exactly what importing the OpenTelemetry SDK does. `gc.freeze()` moves the existing
objects to the permanent generation, so later collections (during init and in every warm
invocation) only look at young objects; the SDK itself is imported with the collector paused
(`quiet_imports`) and frozen right after. Reference counting still frees frozen objects; only
reference cycles among them are never collected, and init-time objects are meant to live for
the whole process anyway. Only done inside Lambda; `TELEMETRY_GC_FREEZE=off` disables it.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Iterator

from handlers.telemetry import settings


def enabled() -> bool:
    return settings.running_in_lambda() and (os.environ.get("TELEMETRY_GC_FREEZE") or "on").strip().lower() != "off"


@contextmanager
def quiet_imports() -> Iterator[None]:
    """Import the SDK with the collector paused, then freeze what it built.

    Collections during these imports would only scan objects that live as long as the process
    (and, whenever one of them is a full collection, as many as the imports have made so far);
    how many happen depends on allocation counts, so any change to the imported code moved the
    cold start by millions of instructions. Paused, the cost is none, and stable. The collector
    is re-enabled on the way out whatever happens, unless someone else had disabled it.
    """
    if not enabled():
        yield
        return
    gc.freeze()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


def freeze_init_heap() -> bool:
    """Freeze what exists now; returns whether it did (for tests)."""
    if not enabled():
        return False
    gc.freeze()
    return True
