"""Schedule expressions: validation as Scheduler does it, and the longest gap, checked against pyawscron."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st
from pyawscron import AWSCron

from components.services.schedule_plan import ScheduleError, parse_schedule

TODAY = dt.date(2026, 11, 29)


@pytest.mark.parametrize(("expression", "hours"), [
    ("rate(5 minutes)", 5 / 60), ("rate(1 hour)", 1), ("rate(2 days)", 48),
    ("cron(0 7 * * ? *)", 24),
    ("cron(0/5 8-17 ? * MON-FRI *)", 62 + 5 / 60),       # Friday 17:55 to Monday 08:00
    ("cron(0 9 L * ? *)", 31 * 24),                       # last day of a 31-day month to the next
    ("cron(0 9 ? * 6#3 *)", 35 * 24),                     # third Friday: up to five weeks apart
    ("cron(0 0 29 2 ? *)", (366 + 365 * 3) * 24),         # leap days only
])
def test_longest_interval(expression, hours):
    assert parse_schedule(expression, today=TODAY).max_interval_seconds == pytest.approx(hours * 3600)


@pytest.mark.parametrize(("expression", "reason"), [
    ("rate(1 minutes)", "singular"), ("rate(2 minute)", "singular"), ("rate(0 days)", "at least 1"),
    ("rate(5 weeks)", "expected rate"), ("at(2027-01-01T00:00:00)", "expected rate"),
    ("cron(0 7 * * * *)", "question mark"), ("cron(61 7 * * ? *)", "minute"), ("cron(0 7 * * ?)", "6 required"),
    ("cron(0 0 1 1 ? 2020)", "never"), ("cron(0 0 1 1 ? 2030)", "once"), ("0 7 * * ? *", "expected rate"),
])
def test_expressions_scheduler_would_reject_or_that_never_recur(expression, reason):
    with pytest.raises(ScheduleError, match=reason):
        parse_schedule(expression, today=TODAY)


def oracle_gap(fields: str) -> int:
    """Largest gap between consecutive runs in 2030-2031, by listing every run with pyawscron."""
    runs = AWSCron.get_all_schedule_bw_dates(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
                                             dt.datetime(2031, 12, 31, 23, 59, tzinfo=dt.timezone.utc), fields)
    return int(max((b - a).total_seconds() for a, b in zip(runs, runs[1:])))


hours = st.sets(st.integers(0, 23), min_size=1, max_size=3).map(lambda s: ",".join(map(str, sorted(s))))
minutes = st.sets(st.integers(0, 59), min_size=1, max_size=2).map(lambda s: ",".join(map(str, sorted(s))))
weekdays = st.sets(st.sampled_from(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]), min_size=1, max_size=3)
month_days = st.one_of(st.sets(st.integers(1, 28), min_size=1, max_size=3).map(lambda s: ",".join(map(str, sorted(s)))),
                       st.just("L"), st.integers(1, 28).map(lambda d: f"{d}W"))
day_fields = st.one_of(
    weekdays.map(lambda s: f"? * {','.join(sorted(s))}"),
    month_days.map(lambda d: f"{d} * ?"),
    st.tuples(st.sampled_from(["MON", "WED", "FRI"]), st.integers(1, 4)).map(lambda t: f"? * {t[0]}#{t[1]}"),
)


@settings(max_examples=40, deadline=None)
@given(minute=minutes, hour=hours, days=day_fields)
def test_longest_gap_matches_the_runs_pyawscron_lists(minute, hour, days):
    dom, month, dow = days.split(" ")
    fields = f"{minute} {hour} {dom} {month} {dow} 2030-2031"
    assert parse_schedule(f"cron({fields})", today=TODAY).max_interval_seconds == oracle_gap(fields)
