"""Schedule expressions: validated the way EventBridge Scheduler validates them, and their longest gap.

A scheduled job's "run that did not happen" alarm must wait exactly as long as the schedule may go
quiet, so the longest interval between two runs is computed from the expression itself: for
`rate(...)` it is the rate; for `cron(...)` every calendar day of a full leap-year cycle is checked
against the day fields (with `L`, `W` and `#`), because a weekday job's longest gap is the weekend,
and a monthly job's the longest month. Syntax is checked by `aws-cron-expression-validator`; the
day arithmetic here is tested against `pyawscron`'s occurrences.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from aws_cron_expression_validator.validator import AWSCronExpressionError, AWSCronExpressionValidator

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
_WEEKDAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
#: Scheduler accepts years up to 2199; a whole 400-year Gregorian cycle would cost too much, so the scan
#: covers 8 years from the current one: two leap cycles, enough for every day-of-month/weekday pattern.
SCAN_YEARS = 8


class ScheduleError(ValueError):
    """An expression EventBridge Scheduler would reject, or one the platform cannot watch."""


@dataclass(frozen=True)
class Schedule:
    expression: str
    max_interval_seconds: int


def parse_schedule(expression: str, *, today: dt.date | None = None) -> Schedule:
    """`rate(5 minutes)` or `cron(0 7 * * ? *)`; one-time `at(...)` schedules are not recurring jobs."""
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value < 1:
            raise ScheduleError(f"{expression!r}: the rate must be at least 1")
        if (value == 1) != (not unit.endswith("s")):
            raise ScheduleError(f"{expression!r}: use '1 {unit.rstrip('s')}' and '{value if value > 1 else 2} "
                                f"{unit.rstrip('s')}s' (singular only for 1)")
        return Schedule(expression, value * _UNIT_SECONDS[unit.rstrip("s")])
    cron = _CRON.fullmatch(expression)
    if not cron:
        raise ScheduleError(f"{expression!r}: expected rate(<n> <minutes|hours|days>) or cron(<6 fields>)")
    fields = cron.group(1)
    try:
        AWSCronExpressionValidator.validate(fields)
        runs, gap = _max_cron_gap(fields, (today or dt.date.today()).year)
    except (AWSCronExpressionError, ScheduleError) as error:
        raise ScheduleError(f"{expression!r}: {error}") from None
    if runs < 2:
        raise ScheduleError(f"{expression!r}: runs {'never' if runs == 0 else 'once'} in the next {SCAN_YEARS} "
                            "years; a scheduled job is for recurring work")
    return Schedule(expression, gap)


@lru_cache(maxsize=256)
def _max_cron_gap(fields: str, first_year: int) -> tuple[int, int]:
    """(runs, longest gap in seconds) over the scan; times are UTC wall-clock of the schedule's zone.

    A scan of 8 years takes milliseconds, and settings, arguments and alarms ask about the same few
    expressions again and again (every settings load checks the café's report schedule)."""
    minute, hour, day_of_month, month, day_of_week, year = fields.split(" ")
    times = sorted(h * 3600 + m * 60 for h in _expand(hour, 0, 23) for m in _expand(minute, 0, 59))
    months, years = set(_expand(month, 1, 12, _MONTHS)), set(_expand(year, 1970, 2199))
    within_day = max((b - a for a, b in zip(times, times[1:])), default=0)
    matches = _day_matcher(day_of_month, day_of_week)
    gap, previous_last = within_day, None
    day = dt.date(first_year, 1, 1)
    end = dt.date(first_year + SCAN_YEARS, 1, 1)
    runs = 0
    while day < end:
        if day.month in months and day.year in years and matches(day):
            start = day.toordinal() * 86400
            if previous_last is not None:
                gap = max(gap, int(start + times[0] - previous_last))
            previous_last = start + times[-1]
            runs += 1
        day += dt.timedelta(days=1)
    return runs, gap


def _expand(field: str, low: int, high: int, names: dict[str, int] | None = None) -> list[int]:
    """`*`, `a`, `a-b`, `a/n`, `a-b/n`, `*/n` and lists of them, with names such as MON or JAN."""
    values: set[int] = set()
    for part in field.upper().split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            start, stop = low, high
        elif "-" in base:
            a, b = base.split("-")
            start, stop = _value(a, names), _value(b, names)
            if start > stop:  # the validator lets it through; nothing here could say when it runs
                raise ScheduleError(f"range {base} runs backwards; list it as two ranges, e.g. {a}-{high},{low}-{b}")
        else:
            start = _value(base, names)
            stop = high if step_text else start
        values.update(range(start, stop + 1, step))
    return sorted(v for v in values if low <= v <= high)


def _value(text: str, names: dict[str, int] | None) -> int:
    return names[text] if names and text in names else int(text)


def _day_matcher(day_of_month: str, day_of_week: str):  # type: ignore[no-untyped-def]
    """One of the two day fields is `?`; the other decides, with AWS's L, W and # forms."""
    if day_of_month != "?":
        return _month_day_matcher(day_of_month.upper())
    return _weekday_matcher(day_of_week.upper())


def _last_day(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: dt.date, target: int) -> int:
    """`15W`: the weekday nearest the 15th, never crossing into another month."""
    last = _last_day(day)
    target = min(target, last)
    weekday = dt.date(day.year, day.month, target).weekday()  # Monday 0
    if weekday == 5:
        return target - 1 if target > 1 else target + 2
    if weekday == 6:
        return target + 1 if target < last else target - 2
    return target


def _month_day_matcher(field: str):  # type: ignore[no-untyped-def]
    if field == "L":
        return lambda day: day.day == _last_day(day)
    if field == "LW":
        return lambda day: day.day == _nearest_weekday(day, _last_day(day))
    if field.endswith("W"):
        target = int(field[:-1])
        return lambda day: day.day == _nearest_weekday(day, target)
    wanted = set(_expand(field, 1, 31))
    return lambda day: day.day in wanted


def _aws_weekday(day: dt.date) -> int:
    return (day.weekday() + 1) % 7 + 1  # AWS: SUN=1 .. SAT=7


def _weekday_matcher(field: str):  # type: ignore[no-untyped-def]
    if "#" in field:
        name, nth = field.split("#")
        weekday, n = _value(name, _WEEKDAYS), int(nth)
        return lambda day: _aws_weekday(day) == weekday and (day.day - 1) // 7 + 1 == n
    if field.endswith("L") and field != "L":
        weekday = _value(field[:-1], _WEEKDAYS)
        return lambda day: _aws_weekday(day) == weekday and day.day + 7 > _last_day(day)
    if field == "L":
        return lambda day: _aws_weekday(day) == 7
    wanted = set(_expand(field, 1, 7, _WEEKDAYS))
    return lambda day: _aws_weekday(day) in wanted


@lru_cache(maxsize=None)
def clock_shift_seconds(time_zone: str, year: int | None = None) -> int:
    """How far the zone's clocks jump in a year (daylight saving time), in seconds.

    A cron schedule runs on the zone's wall clock, so on the night the clocks go back its real gap is
    this much longer than its wall-clock gap; a missed-run alarm that ignored it would fire every
    autumn. Rates run on real time and need no allowance.
    """
    import zoneinfo
    zone = zoneinfo.ZoneInfo(time_zone)
    first = dt.datetime(year or dt.date.today().year, 1, 1, 12)
    offsets = {(first + dt.timedelta(days=day)).replace(tzinfo=zone).utcoffset() for day in range(366)}
    return int((max(offsets) - min(offsets)).total_seconds())  # type: ignore[operator]


@lru_cache(maxsize=None)
def time_zones() -> frozenset[str]:
    import zoneinfo
    return frozenset(zoneinfo.available_timezones())
