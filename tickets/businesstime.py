"""Business-time arithmetic over a calendar of weekly working hours and holidays.

Working intervals are wall-clock times of a weekday in the calendar's time zone.
Each day's intervals are turned into real instants with zoneinfo, so a DST change
(Europe/Helsinki: last Sunday of March and of October) is counted in real seconds.

Internally every instant is an integer number of microseconds since the epoch,
so sums are exact: additivity and the add/between inverse hold to the microsecond.
Long spans are summed arithmetically per whole week; only "exceptional" days
(holidays and days whose UTC offset changes) are corrected one by one, from a
per-year table built once per calendar snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000  # microseconds per second
ONE_US = timedelta(microseconds=1)
# A calendar with (almost) no working time would make add_business_seconds loop
# forever; no SLA target is further away than this.
MAX_SEARCH_DAYS = 366 * 30


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("business time needs aware datetimes")
    return (moment - EPOCH) // ONE_US


def _from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of one year; the package's tables never change at run time."""
    if not country:
        return frozenset()
    return frozenset(
        holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year).keys()
    )


@dataclass
class CalendarSnapshot:
    """A calendar loaded once: use one snapshot for many computations.

    ``week`` maps a weekday (0 = Monday) to its (start, end) wall-clock times.
    """

    time_zone: str = "Europe/Helsinki"
    week: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    holiday_country: str = ""
    holiday_subdivision: str = ""
    custom_holidays: frozenset[date] = frozenset()
    pk: int | None = None
    _years: dict[int, dict[date, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.time_zone)
        self.week = {d: sorted(self.week.get(d, [])) for d in range(7)}
        # Nominal working microseconds per weekday (wall clock, no holidays, no DST).
        self.nominal = [
            sum(_wall_us(end) - _wall_us(start) for start, end in self.week[d]) for d in range(7)
        ]
        self.week_us = sum(self.nominal)

    @classmethod
    def from_model(cls, calendar) -> CalendarSnapshot:
        """Two queries: the intervals and the custom holidays."""
        week: dict[int, list[tuple[time, time]]] = {}
        for weekday, start, end in calendar.intervals.values_list("weekday", "start", "end"):
            week.setdefault(weekday, []).append((start, end))
        custom = frozenset(calendar.custom_holidays.values_list("date", flat=True))
        return cls(time_zone=calendar.time_zone, week=week,
                   holiday_country=calendar.holiday_country,
                   holiday_subdivision=calendar.holiday_subdivision,
                   custom_holidays=custom, pk=calendar.pk)

    def is_holiday(self, day: date) -> bool:
        return day in self.custom_holidays or day in public_holidays(
            self.holiday_country, self.holiday_subdivision, day.year
        )

    def day_intervals(self, day: date) -> list[tuple[int, int]]:
        """The day's working intervals as real instants (epoch microseconds)."""
        if self.is_holiday(day):
            return []
        spans = []
        for start, end in self.week[day.weekday()]:
            a = _to_us(datetime.combine(day, start, tzinfo=self.tz))
            b = _to_us(datetime.combine(day, end, tzinfo=self.tz))
            if b > a:  # a wall time swallowed by a DST gap can shrink an interval to nothing
                spans.append((a, b))
        return spans

    def day_us(self, day: date) -> int:
        return sum(b - a for a, b in self.day_intervals(day))

    def exceptions(self, year: int) -> dict[date, int]:
        """Days of ``year`` whose working time differs from nominal: actual − nominal."""
        table = self._years.get(year)
        if table is None:
            table = {}
            day = date(year, 1, 1)
            while day.year == year:
                nxt = day + timedelta(days=1)
                offset_changes = (datetime.combine(day, time(), tzinfo=self.tz).utcoffset()
                                  != datetime.combine(nxt, time(), tzinfo=self.tz).utcoffset())
                if offset_changes or self.is_holiday(day):
                    delta = self.day_us(day) - self.nominal[day.weekday()]
                    if delta:
                        table[day] = delta
                day = nxt
            self._years[year] = table
        return table

    def full_days_us(self, first: date, last: date) -> int:
        """Working microseconds of the whole days first..last (inclusive)."""
        if last < first:
            return 0
        days = (last - first).days + 1
        weeks, rest = divmod(days, 7)
        total = weeks * self.week_us
        total += sum(self.nominal[(first.weekday() + i) % 7] for i in range(rest))
        for year in range(first.year, last.year + 1):
            total += sum(d for day, d in self.exceptions(year).items() if first <= day <= last)
        return total


def _wall_us(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * US + moment.microsecond


def _local_date(cal: CalendarSnapshot, us: int) -> date:
    return _from_us(us).astimezone(cal.tz).date()


def _overlap(spans: Iterable[tuple[int, int]], lo: int, hi: int) -> int:
    return sum(max(0, min(b, hi) - max(a, lo)) for a, b in spans)


def business_us_between(cal: CalendarSnapshot, start: datetime, end: datetime) -> int:
    """Working microseconds in [start, end); 0 when end is not after start."""
    lo, hi = _to_us(start), _to_us(end)
    if hi <= lo:
        return 0
    first, last = _local_date(cal, lo), _local_date(cal, hi)
    if first == last:
        return _overlap(cal.day_intervals(first), lo, hi)
    return (_overlap(cal.day_intervals(first), lo, hi)
            + cal.full_days_us(first + timedelta(days=1), last - timedelta(days=1))
            + _overlap(cal.day_intervals(last), lo, hi))


def business_seconds_between(cal: CalendarSnapshot, start: datetime, end: datetime) -> int:
    """Whole working seconds between two instants (sub-second remainders dropped)."""
    return business_us_between(cal, start, end) // US


def add_business_us(cal: CalendarSnapshot, start: datetime, amount: int) -> datetime:
    """The earliest instant with ``amount`` working microseconds since ``start``."""
    if amount <= 0:
        return start
    now = _to_us(start)
    day = _local_date(cal, now)
    for a, b in cal.day_intervals(day):
        take = max(0, b - max(a, now))
        if amount <= take:
            return _from_us(max(a, now) + amount)
        amount -= take
    day += timedelta(days=1)
    limit = day + timedelta(days=MAX_SEARCH_DAYS)
    # Skip whole weeks arithmetically, then walk the last week day by day.
    while day < limit:
        week = cal.full_days_us(day, day + timedelta(days=6))
        if week >= amount:
            break
        amount -= week
        day += timedelta(days=7)
    while day < limit:
        for a, b in cal.day_intervals(day):
            if amount <= b - a:
                return _from_us(a + amount)
            amount -= b - a
        day += timedelta(days=1)
    raise ValueError("the calendar has no working time within reach")


def add_business_seconds(cal: CalendarSnapshot, start: datetime, seconds: float) -> datetime:
    """``start`` moved forward by ``seconds`` of working time (in UTC)."""
    return add_business_us(cal, start, round(seconds * US))
