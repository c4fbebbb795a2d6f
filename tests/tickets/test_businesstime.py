"""Properties of the business-time arithmetic (no database: calendars are built in memory)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.businesstime import (
    CalendarSnapshot,
    add_business_seconds,
    business_seconds_between,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
OFFICE = CalendarSnapshot(week={d: [(time(8), time(16))] for d in range(5)}, holiday_country="FI")
# Two intervals a day, Saturday mornings, no public holidays: exercises gaps within a day.
SPLIT = CalendarSnapshot(
    week={**{d: [(time(8), time(12)), (time(13), time(17))] for d in range(5)},
          5: [(time(9), time(13))]},
)
# Every second of the day counts: business time equals real time, DST included.
ALWAYS = CalendarSnapshot(week={d: [(time(0), time(23, 59, 59))] for d in range(7)})

calendars = st.sampled_from([OFFICE, SPLIT, ALWAYS])
# Whole seconds, 2020–2032, UTC: covers many DST changes, holidays and year ends.
instants = st.integers(
    min_value=int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
    max_value=int(datetime(2032, 12, 31, tzinfo=UTC).timestamp()),
).map(lambda s: datetime.fromtimestamp(s, tz=UTC))
amounts = st.integers(min_value=0, max_value=3 * 365 * 8 * 3600)


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=HELSINKI)


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, instants, instants)
def test_between_is_additive_over_a_split(cal, a, b, c):
    a, b, c = sorted([a, b, c])
    assert (business_seconds_between(cal, a, b) + business_seconds_between(cal, b, c)
            == business_seconds_between(cal, a, c))


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, amounts)
def test_between_inverts_add(cal, start, seconds):
    assert business_seconds_between(cal, start, add_business_seconds(cal, start, seconds)) == seconds


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, amounts)
def test_add_lands_on_working_time(cal, start, seconds):
    """The result is the earliest such instant: one second earlier is one business second less."""
    due = add_business_seconds(cal, start, seconds)
    if seconds:
        assert business_seconds_between(cal, start, due - timedelta(seconds=1)) == seconds - 1


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, instants)
def test_add_of_between_never_passes_the_end(cal, a, b):
    a, b = sorted([a, b])
    assert add_business_seconds(cal, a, business_seconds_between(cal, a, b)) <= b


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, amounts, amounts)
def test_add_is_monotonic(cal, start, x, y):
    x, y = sorted([x, y])
    assert add_business_seconds(cal, start, x) <= add_business_seconds(cal, start, y)


@settings(deadline=None)  # the first call loads the holidays package
@given(calendars, instants, instants, instants)
def test_between_is_monotonic_in_the_end(cal, a, b, c):
    a, b, c = sorted([a, b, c])
    assert business_seconds_between(cal, a, b) <= business_seconds_between(cal, a, c)


@settings(deadline=None)  # the first call loads the holidays package
@given(instants, instants)
def test_between_never_exceeds_real_time(a, b):
    a, b = sorted([a, b])
    assert business_seconds_between(OFFICE, a, b) <= (b - a).total_seconds()


@settings(deadline=None)  # the first call loads the holidays package
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31)),
       st.integers(min_value=0, max_value=8 * 3600 - 1), st.integers(min_value=1, max_value=7200))
def test_zero_outside_working_hours(day, offset, length):
    """From 16:00 to the next day's 8:00 (and all weekend) nothing counts."""
    evening = datetime.combine(day, time(16), tzinfo=HELSINKI)
    start = evening + timedelta(seconds=offset)
    end = min(start + timedelta(seconds=length), datetime.combine(day + timedelta(days=1),
                                                                   time(8), tzinfo=HELSINKI))
    assert business_seconds_between(OFFICE, start, end) == 0


@given(calendars, instants)
@settings(max_examples=50, deadline=None)
def test_whole_weeks_match_a_day_by_day_sum(cal, start):
    """The arithmetic shortcut over weeks agrees with summing every day."""
    first = start.astimezone(cal.tz).date()
    last = first + timedelta(days=7 * 60 + 3)
    by_day = sum(cal.day_us(first + timedelta(days=i)) for i in range((last - first).days + 1))
    assert cal.full_days_us(first, last) == by_day


def test_end_before_start_counts_nothing():
    assert business_seconds_between(OFFICE, at(2026, 11, 23, 12), at(2026, 11, 23, 9)) == 0


def test_friday_afternoon_plus_four_hours_is_monday_late_morning():
    assert add_business_seconds(OFFICE, at(2026, 11, 20, 15, 30), 4 * 3600) == at(2026, 11, 23, 11, 30)


def test_independence_day_is_skipped():
    # Friday 3 Dec 2027; Monday 6 Dec is Finnish Independence Day.
    assert add_business_seconds(OFFICE, at(2027, 12, 3, 15, 30), 4 * 3600) == at(2027, 12, 7, 11, 30)


def test_christmas_is_skipped():
    # Wednesday 23 Dec 2026 15:00; 24, 25 Dec are holidays and 26–27 a weekend.
    assert add_business_seconds(OFFICE, at(2026, 12, 23, 15), 2 * 3600) == at(2026, 12, 28, 9)


def test_custom_holiday_is_skipped():
    cal = CalendarSnapshot(week=OFFICE.week, holiday_country="FI",
                           custom_holidays=frozenset({date(2026, 11, 23)}))
    assert add_business_seconds(cal, at(2026, 11, 20, 15, 30), 4 * 3600) == at(2026, 11, 24, 11, 30)


def test_subdivision_holidays_come_from_the_package():
    # Åland's autonomy day (9 June) is a holiday only in subdivision 01.
    aland = CalendarSnapshot(week=OFFICE.week, holiday_country="FI", holiday_subdivision="01")
    assert aland.is_holiday(date(2026, 6, 9))
    assert not OFFICE.is_holiday(date(2026, 6, 9))


def test_over_the_autumn_dst_change_office_hours_stay_wall_clock():
    # Clocks go back on Sunday 25 Oct 2026: Friday 15:30 + 4 h is still Monday 11:30 local.
    due = add_business_seconds(OFFICE, at(2026, 10, 23, 15, 30), 4 * 3600)
    assert due == at(2026, 10, 26, 11, 30)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)


def test_over_the_spring_dst_change_office_hours_stay_wall_clock():
    # Clocks go forward on Sunday 29 Mar 2026: Monday 11:30 is 08:30 UTC (not 09:30).
    due = add_business_seconds(OFFICE, at(2026, 3, 27, 15, 30), 4 * 3600)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)


def test_spring_forward_day_is_an_hour_shorter_in_real_seconds():
    day = (at(2026, 3, 29), at(2026, 3, 30))
    assert business_seconds_between(ALWAYS, *day) == 23 * 3600 - 1


def test_fall_back_day_is_an_hour_longer_in_real_seconds():
    day = (at(2026, 10, 25), at(2026, 10, 26))
    assert business_seconds_between(ALWAYS, *day) == 25 * 3600 - 1


def test_a_year_of_office_hours():
    # 261 weekdays in 2026, 9 of them Finnish public holidays, 8 hours each.
    assert business_seconds_between(OFFICE, at(2026, 1, 1), at(2027, 1, 1)) == 252 * 8 * 3600


def test_spans_of_years_are_fast():
    import time as clock

    started = clock.perf_counter()
    due = add_business_seconds(OFFICE, at(2026, 1, 1), 10 * 252 * 8 * 3600)
    total = business_seconds_between(OFFICE, at(2026, 1, 1), due)
    assert total == 10 * 252 * 8 * 3600
    assert clock.perf_counter() - started < 1.0
