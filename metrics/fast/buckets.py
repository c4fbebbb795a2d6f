"""The structures behind exact percentiles on PostgreSQL (PERFORMANCE.md, "bucketed
percentiles"): value buckets of TimedTicket (TimedBounds) and running totals per bucket
(TimedCumulative), kept by the rollup refresh.

A percentile of a period then costs two reads of running totals per group, to find the
bucket that holds each wanted rank and the rank inside it, and one index range over that
bucket's rows of the period: the work no longer grows with the length of the period.
SQLite keeps neither; there the percentiles come from window functions.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable
from datetime import date
from typing import cast

from django.db import connection

from .models import RollupState, TimedBounds, TimedCumulative, TimedTicket

# About this many buckets per clock: each then holds ~1/1024 of the rows, so the second
# step of a percentile reads about a thousandth of a period's rows.
TARGET_BUCKETS = 1024
KINDS = (TimedTicket.FIRST, TimedTicket.RESOLUTION)
FLUSH_ROWS = 5000  # running totals written per COPY


def enabled() -> bool:
    return connection.vendor == "postgresql"


def choose_bounds(histogram: Iterable[tuple[int, int]]) -> list[int]:
    """Lower bounds (ascending, starting at 0) from ``(value, count)`` pairs in ascending
    order: buckets of about total/TARGET_BUCKETS rows, and a value at least that frequent
    alone in a bucket [v, v + 1), whose percentile then needs no second read."""
    histogram = [(value, count) for value, count in histogram if value >= 0]
    target = max(1, math.ceil(sum(count for _value, count in histogram) / TARGET_BUCKETS))
    bounds, filled = [0], 0
    for value, count in histogram:
        heavy = count >= target
        if filled and (heavy or filled + count > target) and value > bounds[-1]:
            bounds.append(value)
            filled = 0
        if heavy:
            if value > bounds[-1]:
                bounds.append(value)
            bounds.append(value + 1)
            filled = 0
        else:
            filled += count
    return bounds


def current_bounds() -> dict[int, list[int]]:
    known = dict(TimedBounds.objects.values_list("kind", "lower_bounds"))
    return {kind: known.get(kind) or [0] for kind in KINDS}


def bucket_sql(kind: int, column: str, bounds: dict[int, list[int]]) -> tuple[str, list]:
    """SQL for a row's bucket and its params: the number of lower bounds <= the value."""
    if not enabled():
        return "0", []
    return f"width_bucket({column}, %s::bigint[])", [bounds[kind]]


def save_bounds_from(source_sql: str, params: list) -> dict[int, list[int]]:
    """Choose and store new bounds from ``source_sql``, which selects (kind, seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT kind, seconds, COUNT(*) FROM ({source_sql}) s "  # noqa: S608
                       f"GROUP BY kind, seconds ORDER BY kind, seconds", params)
        rows = cursor.fetchall()
    bounds = {}
    for kind in KINDS:
        bounds[kind] = choose_bounds((value, count) for k, value, count in rows if k == kind)
        TimedBounds.objects.update_or_create(kind=kind, defaults={"lower_bounds": bounds[kind]})
    return bounds


def rebucket_all() -> None:
    """New bounds from every TimedTicket row, every row re-bucketed (once per install, or
    when the bounds are out of date; ``refresh_metrics --all`` avoids the UPDATE)."""
    table = TimedTicket._meta.db_table
    bounds = save_bounds_from(f"SELECT kind, seconds FROM {table}", [])  # noqa: S608
    with connection.cursor() as cursor:
        for kind in KINDS:
            expression, params = bucket_sql(kind, "seconds", bounds)
            cursor.execute(f"UPDATE {table} SET bucket = {expression} WHERE kind = %s",  # noqa: S608
                           [*params, kind])


def _pack(counts: array) -> bytes:
    if sys.byteorder == "little":
        return counts.tobytes()
    swapped = array("i", counts)
    swapped.byteswap()
    return swapped.tobytes()


def unpack(data: bytes | memoryview) -> array:
    counts = array("i")
    counts.frombytes(bytes(data))
    if sys.byteorder != "little":
        counts.byteswap()
    return counts


def rebuild_cumulative(since: date) -> int:
    """Recompute the running totals of every day from ``since`` on (later days build on
    the changed ones), from the latest totals before it. Returns the rows written."""
    table, cumulative = TimedTicket._meta.db_table, TimedCumulative._meta.db_table
    sizes = {kind: len(bounds) + 1 for kind, bounds in current_bounds().items()}
    TimedCumulative.objects.filter(day__gte=since).delete()
    totals: dict[tuple, array] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT ON (kind, dimension, key) kind, dimension, key, counts "  # noqa: S608
                       f"FROM {cumulative} WHERE day < %s ORDER BY kind, dimension, key, day DESC",
                       [since])
        for kind, dimension, key, data in cursor.fetchall():
            counts = unpack(data)
            if len(counts) == sizes.get(kind):  # else stale bounds: rebucket_all follows
                totals[kind, dimension, key] = counts
    written, pending = 0, cast(list[tuple], [])

    def flush() -> None:  # in batches: a year of 1M tickets is ~2 GB of arrays
        nonlocal written, pending
        if pending:
            with connection.cursor() as cursor, cursor.cursor.copy(
                    f"COPY {cumulative} (kind, dimension, key, day, counts) FROM STDIN") as copy:
                for row in pending:
                    copy.write_row(row)
            written, pending = written + len(pending), []

    groups_of: dict[tuple, list] = {}  # a row's groups, per combination of its columns
    with connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT day, kind, bucket, channel, agent_id, team_id, priority, "  # noqa: S608
                       f"organization_tier FROM {table} WHERE day >= %s ORDER BY day", [since])
        day, touched = None, cast(set[tuple], set())
        for row_day, kind, bucket, *columns in cursor:
            if row_day != day:
                pending += [(*group, day, _pack(totals[group])) for group in touched]
                if len(pending) >= FLUSH_ROWS:
                    flush()
                day, touched = row_day, set()
            groups = groups_of.get((kind, *columns))
            if groups is None:
                groups = groups_of[kind, *columns] = _groups(kind, *columns)
            size = sizes[kind]
            for group in groups:
                found = totals.get(group)
                if found is None:
                    found = totals[group] = array("i", bytes(4 * size))
                found[min(bucket, size - 1)] += 1
            touched.update(groups)
        pending += [(*group, day, _pack(totals[group])) for group in touched]
    flush()
    return written


def _groups(kind: int, channel: str, agent_id: int | None, team_id: int | None, priority: str,
            tier: str | None) -> list[tuple]:
    """The TimedCumulative groups a TimedTicket row with these columns counts in."""
    values = {"channel": channel, "agent": _key(agent_id), "team": _key(team_id),
              "tier": tier or "", "priority": priority}
    return [(kind, TimedCumulative.ALL, ""), *(
        (kind, dimension, "|".join(values[name] for name in parts))
        for dimension, parts in TimedCumulative.PARTS.items())]


def _key(value: object) -> str:
    return "" if value is None else str(value)


def mark_ready(ready: bool) -> None:
    RollupState.objects.filter(pk=1).update(buckets_ready=ready)
