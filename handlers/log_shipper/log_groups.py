"""Reading the platform service out of a log group name (``/platform/<stack>/<service>/<part>``)."""
from __future__ import annotations

import re
from functools import lru_cache

UNKNOWN_SERVICE = "unknown"
# Index names must be lowercase and cannot contain these characters, so a service name that
# would need them is normalised rather than producing an index OpenSearch rejects.
_NOT_INDEX_SAFE = re.compile(r"[^a-z0-9_\-]+")


@lru_cache(maxsize=4096)
def service_from_log_group(log_group: str, log_group_prefix: str) -> str:
    """Never raises: a log group outside the convention is shipped as service ``unknown``."""
    prefix = log_group_prefix if log_group_prefix.endswith("/") else log_group_prefix + "/"
    if not log_group.startswith(prefix):
        return UNKNOWN_SERVICE
    service = log_group[len(prefix):].split("/", 1)[0]
    service = _NOT_INDEX_SAFE.sub("-", service.lower()).strip("-_")
    return service or UNKNOWN_SERVICE
