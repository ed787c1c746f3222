"""Pure: which day a run reports on.

"Yesterday" is the café's yesterday (CAFE_TIME_ZONE), counted from when the run was *meant*
to happen, so a run that is retried or delayed past midnight still reports the day it was
scheduled for. The event may say so in three ways, first match wins:
- `{"day": "YYYY-MM-DD"}`: report that day (an operator re-running a report);
- `{"scheduled_time": "<ISO-8601>"}`: EventBridge Scheduler's `<aws.scheduler.scheduled-time>`
  context attribute, which the schedule's input should carry;
- `{"time": "<ISO-8601>"}`: an EventBridge rule's Scheduled Event.
Otherwise (Scheduler's default `{}` input) the invocation's own time is used.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
KNOWN_FIELDS = frozenset(("day", "scheduled_time", "time", "_trace_context",
                          "version", "id", "detail-type", "source", "account", "region", "resources", "detail"))


class InvalidRun(ValueError):
    """The event asks for something this job cannot do; the message names the field."""


def _moment(value: Any, field: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise InvalidRun(f"{field}: must be an ISO-8601 timestamp")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRun(f"{field}: {error}") from error
    if moment.tzinfo is None:
        raise InvalidRun(f"{field}: must carry a time zone")
    return moment


def report_day(event: Any, now: datetime.datetime, zone: ZoneInfo) -> str:
    if event is None:
        event = {}
    if not isinstance(event, dict):
        raise InvalidRun("event: must be a JSON object")
    unknown = sorted(set(event) - KNOWN_FIELDS)
    if unknown:
        raise InvalidRun(f"{unknown[0]}: is not a known field")
    if "day" in event:
        day = event["day"]
        if not isinstance(day, str) or not DAY.fullmatch(day):
            raise InvalidRun("day: must be a date YYYY-MM-DD")
        try:
            datetime.date.fromisoformat(day)
        except ValueError as error:
            raise InvalidRun(f"day: is not a calendar date ({error})") from error
        return day
    if "scheduled_time" in event:
        moment = _moment(event["scheduled_time"], "scheduled_time")
    elif "time" in event:
        moment = _moment(event["time"], "time")
    else:
        moment = now
    return (moment.astimezone(zone).date() - datetime.timedelta(days=1)).isoformat()
