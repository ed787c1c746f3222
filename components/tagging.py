"""Tags every resource carries.

Pulumi mocks do not apply `aws:defaultTags` or resource transforms, so components call this
function explicitly; that way the tags the tests see are the tags AWS gets.
"""
from __future__ import annotations

from components.settings import Settings


def tags(settings: Settings, service: str, **extra: str) -> dict[str, str]:
    return {
        "platform:project": settings.project,
        "platform:stack": settings.stack,
        "platform:environment": settings.environment,
        "platform:service": service,
        "managed-by": "pulumi",
        **extra,
    }
