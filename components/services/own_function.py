"""What a service kind with one function of its own takes about that function.

Queue workers, scheduled jobs, stream pipelines, table streams and internal functions each run one
function; the arguments that describe it (handler, tables, idempotency, environment, access,
secrets, memory and timeout) are the same for all of them, so they are declared once here and
turned into the function's `FunctionArgs` in one place. Keyword-only, so each kind's own arguments may come in any
order around them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pulumi

from components.resources.tables import TableSpec
from components.services.access import Access
from components.services.function import FunctionArgs

if TYPE_CHECKING:
    from components.core import PlatformCore


@dataclass(frozen=True, kw_only=True)
class OwnFunction:
    handler: str
    description: str = ""
    tables: Sequence[TableSpec] = ()
    idempotency: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)
    access: Sequence[Access] = ()
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    memory_mb: int | None = None
    #: None: the profile's workerTimeoutSeconds (functions fed by queues, streams and schedules).
    timeout_seconds: int | None = None

    def own_function(self, core: PlatformCore, **kind_specific: Any) -> FunctionArgs:
        """The function's arguments; consumers reserve no concurrency and default to the worker timeout
        unless the kind says otherwise (`kind_specific` overrides both)."""
        timeout = core.settings.services.worker_timeout_seconds if self.timeout_seconds is None \
            else self.timeout_seconds
        return FunctionArgs(**{"handler": self.handler, "description": self.description,
                               "environment": self.environment, "access": self.access, "memory_mb": self.memory_mb,
                               "secrets": self.secrets, "timeout_seconds": timeout, "reserved_concurrency": None,
                               **kind_specific})
