"""Alarm description text: what it means plus where to look first.

The on-call reader sees the description in the notification, so the runbook
hint must survive CloudWatch's 1024-character limit: the meaning is trimmed,
never the "Check first" part.
"""

from __future__ import annotations

from components.observability.model import MAX_DESCRIPTION_CHARS

_ELLIPSIS = "..."


def alarm_description(meaning: str, check_first: str) -> str:
    """Join meaning and runbook hint, trimming the meaning so the result fits CloudWatch."""
    hint = f" Check first: {check_first.strip()}"
    if len(hint) > MAX_DESCRIPTION_CHARS // 2:
        raise ValueError(f"runbook hint is {len(hint)} chars; keep it under {MAX_DESCRIPTION_CHARS // 2}")
    meaning = " ".join(meaning.split())
    room = MAX_DESCRIPTION_CHARS - len(hint)
    if len(meaning) > room:
        meaning = meaning[: room - len(_ELLIPSIS)].rstrip() + _ELLIPSIS
    return meaning + hint


def logs_insights_hint(log_group_name: str, query: str) -> str:
    """A runbook hint that names the exact Logs Insights query to run."""
    return f"run in Logs Insights on {log_group_name}: {query}"


ERRORS_QUERY = (
    'fields @timestamp, level, message, request_id, trace_id | filter level = "ERROR" '
    "| sort @timestamp desc | limit 50"
)
REPORT_QUERY = (
    'filter @type = "REPORT" | stats count(*) as invocations, '
    "sum(strcontains(@message, 'Init Duration')) as cold_starts, "
    "max(@maxMemoryUsed / 1000 / 1000) as max_memory_mb, "
    "pct(@duration, 99) as p99_ms by bin(5m)"
)
