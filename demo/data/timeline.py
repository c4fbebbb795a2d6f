"""When tickets arrive and how long answers take: business-hours-shaped, in Helsinki time."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")

# Relative arrivals per local hour: a weekday peak 9–11, a dip at lunch, quiet nights.
WEEKDAY_HOURS = [0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.8, 1.4, 1.8, 1.8, 1.6, 1.3, 1.6,
                 1.6, 1.4, 1.2, 0.9, 0.6, 0.5, 0.45, 0.4, 0.3, 0.2]
WEEKEND_HOURS = [0.15, 0.1, 0.08, 0.06, 0.06, 0.08, 0.12, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5,
                 0.5, 0.45, 0.45, 0.4, 0.4, 0.4, 0.35, 0.3, 0.25, 0.2]
WEEKDAY_FACTOR = [1.15, 1.05, 1.0, 0.95, 0.85, 0.28, 0.22]
HOURS = list(range(24))


def day_counts(total: int, *, today: date, now_hour: int, days: int = 365) -> list[tuple[date, int]]:
    """Split ``total`` over the last ``days`` days by weekday and a gentle growth trend.

    Cumulative rounding makes the counts add up to ``total`` exactly. Today only
    gets the hours that have passed.
    """
    first = today - timedelta(days=days - 1)
    weights = []
    for i in range(days):
        day = first + timedelta(days=i)
        weight = WEEKDAY_FACTOR[day.weekday()] * (0.8 + 0.4 * i / days)
        if day == today:
            hours = WEEKDAY_HOURS if day.weekday() < 5 else WEEKEND_HOURS
            weight *= sum(hours[:now_hour]) / sum(hours)
        weights.append(weight)
    whole = sum(weights) or 1.0
    counts, cumulative, given = [], 0.0, 0
    for i, weight in enumerate(weights):
        cumulative += weight
        upto = round(total * cumulative / whole)
        counts.append((first + timedelta(days=i), upto - given))
        given = upto
    return counts


def arrivals(rng: random.Random, day: date, count: int, *, now: datetime) -> list[datetime]:
    """``count`` sorted UTC arrival times on a local day, all before ``now``."""
    if count <= 0:
        return []
    weights = WEEKDAY_HOURS if day.weekday() < 5 else WEEKEND_HOURS
    limit = now.astimezone(HELSINKI)
    if day == limit.date():
        weights = weights[: limit.hour] or [1.0]
    hours = rng.choices(HOURS[: len(weights)], weights=weights, k=count)
    times = []
    for hour in hours:
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), HELSINKI)
        times.append(min(local.astimezone(UTC), now - timedelta(minutes=1)))
    times.sort()
    return times


def next_opening(moment: datetime) -> datetime | None:
    """The next weekday 08:00 Helsinki after ``moment`` if it is outside 8–17 on a weekday."""
    local = moment.astimezone(HELSINKI)
    if local.weekday() < 5 and 8 <= local.hour < 17:
        return None
    day = local.date() + timedelta(days=0 if local.hour < 8 else 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(8), HELSINKI).astimezone(UTC)


def lognormal_hours(rng: random.Random, median_hours: float, sigma: float) -> timedelta:
    return timedelta(hours=median_hours * math.exp(rng.gauss(0.0, sigma)))


def spread(start: datetime, end: datetime, parts: int) -> Iterator[datetime]:
    """``parts`` moments strictly between start and end, in order."""
    step = (end - start) / (parts + 1)
    for i in range(1, parts + 1):
        yield start + step * i
