"""Exact median and p90 of business seconds from the bucketed running totals
(metrics/fast/buckets.py), equal to PostgreSQL's percentile_cont over the same TimedTicket rows.

For a group (everything, one channel, one agent or one team) and a period of whole days:
1. the running totals at the period's last day minus those before its first day give the
   period's count per value bucket (two reads per group, whatever the period's length);
2. the ranks the percentile lies between (definitions.percentile_ranks) are located in
   their buckets by a running sum;
3. one statement reads, for every rank, the rows of its bucket in the period (an index
   range of about a thousandth of them) and picks the value at the rank inside the bucket;
   a bucket that holds a single value needs no read at all;
4. definitions.percentile_of interpolates between the values at those ranks, as every
   other source of a percentile does (metrics/queries/percentile.py).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from django.db import connection

from .. import definitions
from .buckets import enabled, unpack
from .models import RollupState, TimedBounds, TimedCumulative, TimedTicket

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..filters import MetricFilters

PERCENTILES = tuple(definitions.PERCENTILES.items())
_MATCH = {"channel": "x.channel = {part}", "priority": "x.priority = {part}",
          "tier": "x.organization_tier IS NOT DISTINCT FROM NULLIF({part}, '')",
          "agent": "x.agent_id IS NOT DISTINCT FROM CAST(NULLIF({part}, '') AS bigint)",
          "team": "x.team_id IS NOT DISTINCT FROM CAST(NULLIF({part}, '') AS bigint)"}
# The rows of a group inside the second read: its key's parts matched to their columns.
_COLUMNS = {dimension: " AND ".join(
    _MATCH[name].format(part="t.key" if len(parts) == 1 else f"split_part(t.key, '|', {i + 1})")
    for i, name in enumerate(parts)) for dimension, parts in TimedCumulative.PARTS.items()}


@dataclass(frozen=True)
class Ask:
    """Percentiles wanted for one group over [first, after) local days. ``key`` None with a
    dimension: every group of that dimension (a breakdown)."""

    label: object
    dimension: int
    key: str | None
    first: date
    after: date
    # With key None: only the pair groups whose key has this value at this position.
    part: tuple[int, str] | None = None


def available(state: RollupState | None) -> bool:
    return enabled() and state is not None and state.buckets_ready


# The group of one dimension's value; the dimensions a dashboard breaks down by.
SINGLE = {parts[0]: dimension for dimension, parts in TimedCumulative.PARTS.items()
          if len(parts) == 1}
GROUPINGS = {by: SINGLE[by] for by in definitions.GROUPINGS}


def held_group(f: MetricFilters) -> tuple[str | None, tuple[int, str]] | None:
    """(the filtered dimension or None, its TimedCumulative group) when the running totals
    hold the filter: none, or one of channel, agent, team, tier, priority; else None."""
    pairs = definitions.chosen(f)
    if len(pairs) > 1:
        return None
    if not pairs:
        return None, (TimedCumulative.ALL, "")
    (dimension, value), = pairs
    return dimension.name, (SINGLE[dimension.name], str(value))


def trend_buckets(trend_by: str, first: date, after: date) -> Iterator[tuple[date, date, date]]:
    """(bucket, its first day, the day after it) of every week or month touching
    [first, after), clipped to it: what date_trunc groups the period's rows into."""
    bucket = first - timedelta(days=first.weekday()) if trend_by == "week" else first.replace(day=1)
    while bucket < after:
        following = (bucket + timedelta(days=7) if trend_by == "week"
                     else (bucket.replace(day=28) + timedelta(days=4)).replace(day=1))
        yield bucket, max(bucket, first), min(following, after)
        bucket = following


def breakdown_ask(label: object, filtered_by: str | None, group: tuple[int, str], by: str,
                  first: date, after: date) -> Ask:
    """The groups of breakdown ``by``: its own (no filter), the filter's group (by the filtered
    dimension), or the pairs of the filter's value with every value of ``by``."""
    if filtered_by is None:
        return Ask(label, GROUPINGS[by], None, first, after)
    if filtered_by == by:
        return Ask(label, *group, first, after)
    dimension, = (d for d, parts in TimedCumulative.PARTS.items() if set(parts) == {filtered_by, by})
    return Ask(label, dimension, None, first, after,
               (TimedCumulative.PARTS[dimension].index(filtered_by), group[1]))


def group_key(by: str | None, key: str, dimension: int = TimedCumulative.ALL) -> str | int | None:
    """A breakdown's key from a TimedCumulative key (the ``by`` part of a pair's)."""
    if by is None:
        return None
    parts: tuple[str, ...] = TimedCumulative.PARTS.get(dimension, ())  # type: ignore[call-overload]
    if len(parts) == 2:
        key = key.split("|")[parts.index(by)]
    if by == "channel":
        return key
    return int(key) if key else None


def breakdown_rows(f: MetricFilters, by: str | None, periods: dict,
                   state: RollupState | None) -> dict | None:
    """{group key: {"<first|solved>_<p50|p90>__<period>": seconds}} as live_rows names them,
    for the summary (by None) or a breakdown, when the running totals hold it; else None."""
    from .rollups import days_of

    held = held_group(f)
    if not available(state) or held is None:
        return None
    filtered_by, group = held
    asks = []
    for name, p in periods.items():
        first, after = days_of(p)
        if by in definitions.TRENDS:
            asks += [Ask((name, bucket), *group, since, until)
                     for bucket, since, until in trend_buckets(by, first, after)]
        elif by is None:
            asks.append(Ask((name, None), *group, first, after))
        else:
            asks.append(breakdown_ask((name, None), filtered_by, group, by, first, after))
    rows: dict = {}
    for ((name, bucket), key, kind, dimension), values in percentiles(asks).items():
        family = "first" if kind == TimedTicket.FIRST else "solved"
        row = rows.setdefault(bucket if by in definitions.TRENDS else group_key(by, key, dimension), {})
        for percentile, value in values.items():
            row[f"{family}_{percentile}__{name}"] = value
    return rows


def percentiles(asks: list[Ask]) -> dict:
    """{(label, group key, kind, dimension): {"p50", "p90"}} for every group with timed
    rows in its period; group key is the TimedCumulative key ("" = everything or none)."""
    if not asks:
        return {}
    lower = dict(TimedBounds.objects.values_list("kind", "lower_bounds"))
    totals = _totals(asks)
    groups: list[tuple] = []
    wanted: dict[tuple, Any] = {}  # (ask, kind, key, rank) → its value
    lookups: list[tuple] = []
    for ask in asks:
        for (kind, key), counts in totals[ask].items():
            cumulative = list(accumulate(counts))
            n = cumulative[-1] if cumulative else 0
            if n == 0:
                continue
            groups.append((ask, kind, key, n))
            for _name, p in PERCENTILES:
                for rank in definitions.percentile_ranks(p, n):
                    target = (ask, kind, key, rank)
                    if target in wanted:
                        continue
                    bucket = bisect_right(cumulative, rank)
                    wanted[target] = _single_value(lower.get(kind, [0]), bucket)
                    if wanted[target] is None:
                        lookups.append((target, bucket, rank - (cumulative[bucket - 1] if bucket else 0)))
    wanted.update(_lookup(lookups))
    result: dict = {}
    for ask, kind, key, n in groups:
        def value_at(rank: int, target: tuple = (ask, kind, key)) -> float:
            return float(wanted[(*target, rank)])

        result[ask.label, key, kind, ask.dimension] = {
            name: definitions.percentile_of(p, n, value_at) for name, p in PERCENTILES}
    return result


def _single_value(lower: list[int], bucket: int) -> int | None:
    """The one value bucket ``bucket`` can hold, if its bounds allow only one."""
    if 1 <= bucket < len(lower) and lower[bucket] - lower[bucket - 1] == 1:
        return lower[bucket - 1]
    return None


def _totals(asks: list[Ask]) -> dict:
    """{ask: {(kind, key): per-bucket counts of the period}} from two reads per group."""
    cuts: dict[tuple, set] = {}  # (dimension, key, part) asked → the days it needs
    for ask in asks:
        cuts.setdefault((ask.dimension, ask.key, ask.part), set()).update(
            (ask.first - timedelta(days=1), ask.after - timedelta(days=1)))
    table = TimedCumulative._meta.db_table
    # Per selection: its groups (a loose scan of the unique index: one probe per group, not
    # a read of every day), crossed with its cut days; then the latest totals at each cut.
    branches, params = [], []
    for (dimension, key, part), days in cuts.items():
        only = f" WHERE split_part(g.key, '|', {int(part[0]) + 1}) = %s" if part else ""
        branches.append(
            f"SELECT c.cut, g.kind, g.dimension, g.key, (SELECT x.counts FROM {table} x "  # noqa: S608
            f"WHERE x.kind = g.kind AND x.dimension = g.dimension AND x.key = g.key "
            f"AND x.day <= c.cut ORDER BY x.day DESC LIMIT 1) "
            f"FROM ({_groups_sql(table, key)}) g "
            f"CROSS JOIN (VALUES {', '.join('(CAST(%s AS date))' for _ in days)}) AS c(cut){only}")
        params += [*((kind, dimension, key) if key is not None else (kind, dimension)
                     for kind in (TimedTicket.FIRST, TimedTicket.RESOLUTION))]
        params += sorted(days)
        params += [part[1]] if part else []
    arrays: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), _flatten(params))
        for cut, kind, dimension, key, data in cursor.fetchall():
            if data is not None:
                arrays[cut, kind, dimension, key] = unpack(data)
    result: dict = {}
    for ask in asks:
        per_group = result[ask] = {}
        start, end = ask.first - timedelta(days=1), ask.after - timedelta(days=1)
        for (cut, kind, dimension, key), counts in arrays.items():
            if cut != end or dimension != ask.dimension or (ask.key is not None and key != ask.key) \
                    or (ask.part and key.split("|")[ask.part[0]] != ask.part[1]):
                continue
            before = arrays.get((start, kind, dimension, key))
            per_group[kind, key] = (list(counts) if before is None else
                                    [a - b for a, b in zip(counts, before, strict=True)])
    return result


def _groups_sql(table: str, key: str | None) -> str:
    """(kind, dimension, key) of the groups of one dimension (or the one group), for both
    clocks; params: kind, dimension[, key] per clock."""
    if key is not None:
        one = f"(SELECT kind, dimension, key FROM {table} WHERE kind = %s AND dimension = %s AND key = %s LIMIT 1)"  # noqa: S608, E501
        return f"SELECT DISTINCT kind, dimension, key FROM ({one} UNION ALL {one}) one"  # noqa: S608
    # Recursive loose index scan: the next key after the previous one, per clock.
    branches = []
    for _ in range(2):
        branches.append(
            f"(WITH RECURSIVE k AS ((SELECT kind, dimension, key FROM {table} "  # noqa: S608
            f"WHERE kind = %s AND dimension = %s ORDER BY kind, dimension, key LIMIT 1) "
            f"UNION ALL SELECT n.kind, n.dimension, n.key FROM k CROSS JOIN LATERAL "
            f"(SELECT y.kind, y.dimension, y.key FROM {table} y WHERE y.kind = k.kind "
            f"AND y.dimension = k.dimension AND y.key > k.key ORDER BY y.kind, y.dimension, y.key "
            f"LIMIT 1) n) SELECT * FROM k)")
    return " UNION ALL ".join(branches)


def _flatten(params: list) -> list:
    flat: list = []
    for item in params:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return flat


def _lookup(lookups: list) -> dict:
    """{target: the value at a rank inside a bucket} for every lookup, in one statement."""
    if not lookups:
        return {}
    table = TimedTicket._meta.db_table
    branches, params, targets = [], [], {}
    for dimension in (TimedCumulative.ALL, *_COLUMNS):
        mine = [(i, item) for i, item in enumerate(lookups) if item[0][0].dimension == dimension]
        if not mine:
            continue
        columns: list[list] = [[], [], [], [], [], [], []]
        for i, ((ask, kind, key, _rank), bucket, offset) in mine:
            for column, value in zip(columns, (i, kind, bucket, ask.first, ask.after, key, offset),
                                     strict=True):
                column.append(value)
            targets[i] = lookups[i][0]
        params += columns
        condition = f"AND {_COLUMNS[dimension]}" if dimension in _COLUMNS else ""
        # The targets as seven arrays (seven parameters, not seven per target).
        branches.append(
            f"SELECT t.i, v.seconds FROM unnest(%s::int[], %s::int[], %s::int[], %s::date[], "  # noqa: S608
            f"%s::date[], %s::text[], %s::bigint[]) "
            f"AS t(i, kind, bucket, since, until, key, offset_in) CROSS JOIN LATERAL ("
            f"SELECT h.seconds FROM (SELECT x.seconds, SUM(COUNT(*)) OVER (ORDER BY x.seconds) AS upto "
            f"FROM {table} x WHERE x.kind = t.kind AND x.bucket = t.bucket AND x.day >= t.since "
            f"AND x.day < t.until {condition} GROUP BY x.seconds) h "
            f"WHERE h.upto > t.offset_in ORDER BY h.seconds LIMIT 1) v")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        return {targets[i]: seconds for i, seconds in cursor.fetchall()}
