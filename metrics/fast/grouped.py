"""Every figure of the manager dashboard from a handful of grouped queries.

The dashboard shows the summary of a period and of the one before it, a trend by week or
month and three tables (channel, agent, team). Asked one by one that is five figure sets of
four queries each. When the daily rollups hold both periods it is instead:
- one query per rollup table (scores, tickets) grouped by (period, dimension) for every
  dimension at once, with GROUPING SETS on PostgreSQL (one scan) and UNION ALL elsewhere;
  the trend comes back per day and is summed into weeks or months here (≤ 2 × 366 rows);
- one percentile query over TimedTicket (both clocks, every grouping, current period:
  the tiles compare SLA met %, not medians, so the previous period's are not asked);
- one live backlog count grouped the same way.
The rows equal those of summary_pair and breakdown (tests/metrics/test_dashboard_query.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Model

from tickets.models import Ticket

from ..definitions import GROUPINGS, PERCENTILES, group_fields, sql_conditions
from ..filters import MetricFilters
from ..queries import percentile
from ..queries.periods import CURRENT, PREVIOUS, periods_of
from ..queries.ticket_figures import live_rows, ticket_base
from . import cumulative, rollups
from .models import (
    SCORE_COLUMNS,
    TICKET_COLUMNS,
    DailyScoreMarginals,
    DailyScoreStats,
    DailyScoreTotals,
    DailyTicketMarginals,
    DailyTicketStats,
    DailyTicketTotals,
    Marginal,
    MarginalFilter,
    RollupState,
    TimedTicket,
)

WORK_MEM = "32MB"  # for the dashboard's grouped queries only (SET LOCAL)
# dimension name of the breakdown → column in every rollup table
DIMENSION_COLUMNS = group_fields("column")
# The rollup columns by (row part, name); the "created" anchor's part is called volume here.
_TICKET_COLUMNS = {("volume" if part == "created" else part, name): column
                   for (part, name), column in TICKET_COLUMNS.items()}
_SUMMED = ("n", "good", "bad", "score_sum", "score_sumsq")  # the order _score_rows sums them
_SCORE_NAMES = {metric: tuple({"n": "n", **{c: name for name, c in names.items()}}.get(column)
                              for column in _SUMMED)
                for metric, names in SCORE_COLUMNS.items()}


def grouping_sets(source: str, params: list, *, keys: tuple[str, ...],
                  sets: tuple[tuple[str, ...], ...], aggregates: str) -> list[tuple]:
    """Rows (set index, *keys, *columns of every set, *aggregates) of ``source`` grouped by
    keys + each set. One scan on PostgreSQL (GROUPING SETS), a UNION ALL elsewhere.
    Only trusted column names and aggregate SQL are interpolated; values are params."""
    columns = tuple(dict.fromkeys(c for s in sets for c in s))
    listed = ", ".join((*keys, *columns))
    if connection.vendor == "postgresql":
        # GROUPING() sets bit i (from the left) when column i is not grouped by this set.
        masks = {sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in s): n
                 for n, s in enumerate(sets)}
        groups = ", ".join("(" + ", ".join((*keys, *s)) + ")" for s in sets)
        sql = (f"SELECT GROUPING({', '.join(columns)}), {listed}, {aggregates} "  # noqa: S608
               f"FROM ({source}) x GROUP BY GROUPING SETS ({groups})")
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(masks[row[0]], *row[1:]) for row in cursor.fetchall()]
    branches = []
    for n, s in enumerate(sets):
        picked = ", ".join((*keys, *(c if c in s else f"NULL AS {c}" for c in columns)))
        group = ", ".join((*keys, *s))
        branches.append(f"SELECT {n}, {picked}, {aggregates} FROM ({source}) x"  # noqa: S608
                        + (f" GROUP BY {group}" if group else ""))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params * len(sets))
        return cursor.fetchall()


_SETS = ((), ("channel",), ("agent_id",), ("team_id",), ("day",))
_BY_SET = (None, "channel", "agent", "team", "day")


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _bucket(day: date, trend_by: str) -> date:
    return day - timedelta(days=day.weekday()) if trend_by == "week" else day.replace(day=1)


def _rollup_source(fine: type[Model], totals: type[Model], f: MetricFilters, first: date, cur: date, after: date) -> tuple:
    """The rows of [first, after) with a period label, filtered as rollups._scoped does."""
    model = fine if (f.tier or f.priority) else totals
    conditions, values = sql_conditions(f)
    where, params = ["day >= %s", "day < %s", *conditions], [cur, first, after, *values]
    sql = (f"SELECT CASE WHEN day >= %s THEN '{CURRENT}' ELSE '{PREVIOUS}' END AS p, *"  # noqa: S608
           f" FROM {model._meta.db_table} WHERE {' AND '.join(where)}")
    return sql, params


def _marginal_filter(f: MetricFilters) -> tuple[int, str] | None:
    """(filtered_by, filter_value) of the marginal rows that answer ``f``: no filter, or
    only an organization tier or only a priority; None for any other filter."""
    if f.channel or f.agent_id or f.team_id or (f.tier and f.priority):
        return None
    if f.tier:
        return MarginalFilter.TIER, f.tier
    if f.priority:
        return MarginalFilter.PRIORITY, f.priority
    return MarginalFilter.NONE, ""


_MARGINAL_SETS = ((Marginal.ALL, ()), (Marginal.CHANNEL, ("channel",)), (Marginal.AGENT, ("agent_id",)),
                  (Marginal.TEAM, ("team_id",)), (Marginal.ALL, ("day",)))


def _marginal_rows(model: type[Model], keys: tuple[str, ...], aggregates: str, first: date, cur: date,
                   after: date, marginal: tuple[int, str]) -> list[tuple]:
    """grouping_sets' rows for _SETS, each grouping read from its own rows of the marginal
    table for ``marginal`` (a union of small grouped reads instead of one big grouping)."""
    # Typed NULLs: PostgreSQL resolves a UNION's column types branch by branch.
    columns = {"channel": "text", "agent_id": "bigint", "team_id": "bigint", "day": "date"}
    branches: list[str] = []
    params: list[Any] = []
    for n, (dimension, grouped_by) in enumerate(_MARGINAL_SETS):
        picked = ", ".join((*keys, *(c if c in grouped_by else f"CAST(NULL AS {t}) AS {c}"
                                     for c, t in columns.items())))
        # Only the summary compares periods: the other groupings read the current one.
        since = first if not grouped_by else cur
        branches.append(
            f"SELECT {n}, {picked}, {aggregates} FROM (SELECT CASE WHEN day >= %s "  # noqa: S608
            f"THEN '{CURRENT}' ELSE '{PREVIOUS}' END AS p, * FROM {model._meta.db_table} "
            f"WHERE filtered_by = %s AND filter_value = %s AND dimension = %s AND day >= %s "
            f"AND day < %s) x GROUP BY {', '.join((*keys, *grouped_by))}")
        params += [cur, int(marginal[0]), marginal[1], int(dimension), since, after]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        return cursor.fetchall()


def _add(target: dict, values: dict) -> None:
    for name, value in values.items():
        target[name] = (target.get(name) or 0) + (value or 0)


def _collect(rows: list[tuple], trend_by: str, keyed: Callable[[tuple], dict], *,
             offset: int) -> dict:
    """{by: {key: {period: {part: {name: value}}}}} from grouping_sets rows whose set
    columns start at ``offset``; day rows are summed into the trend's buckets (current
    period only, as breakdown asks)."""
    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for row in rows:
        set_index, period, by = row[0], row[1], _BY_SET[row[0]]
        key = row[offset + set_index - 1] if by is not None else None
        if by == "day":
            if period != CURRENT:
                continue
            by, key = trend_by, _bucket(_as_date(key), trend_by)
        elif by is not None and period != CURRENT:
            continue
        for part, values in keyed(row).items():
            _add(result[by][key][period].setdefault(part, {}), values)
    return result


def _score_rows(f: MetricFilters, trend_by: str, first: date, cur: date, after: date) -> dict:
    aggregates = ("SUM(n), SUM(good), SUM(bad), CAST(SUM(score_sum) AS BIGINT), "
                  "CAST(SUM(score_sumsq) AS BIGINT)")
    if (marginal := _marginal_filter(f)) is not None:
        rows = _marginal_rows(DailyScoreMarginals, ("p", "metric"), aggregates, first, cur, after,
                              marginal)
    else:
        source, params = _rollup_source(DailyScoreStats, DailyScoreTotals, f, first, cur, after)
        rows = grouping_sets(source, params, keys=("p", "metric"), sets=_SETS, aggregates=aggregates)

    def keyed(row: tuple) -> dict:
        metric, sums = row[2], row[-5:]
        return {"scores": {f"{metric}_{name}": value for name, value in
                           zip(_SCORE_NAMES[metric], sums, strict=True) if name}}

    return _collect(rows, trend_by, keyed, offset=3)


def _ticket_rows(f: MetricFilters, trend_by: str, first: date, cur: date, after: date) -> dict:
    names = list(_TICKET_COLUMNS)
    aggregates = ", ".join(f"SUM({c})" for c in _TICKET_COLUMNS.values())
    if (marginal := _marginal_filter(f)) is not None:
        rows = _marginal_rows(DailyTicketMarginals, ("p",), aggregates, first, cur, after, marginal)
    else:
        source, params = _rollup_source(DailyTicketStats, DailyTicketTotals, f, first, cur, after)
        rows = grouping_sets(source, params, keys=("p",), sets=_SETS, aggregates=aggregates)

    def keyed(row: tuple) -> dict:
        parts: dict = defaultdict(dict)
        for (part, name), value in zip(names, row[-len(names):], strict=True):
            parts[part][name] = value
        return parts

    return _collect(rows, trend_by, keyed, offset=2)


def _percentiles(f: MetricFilters, trend_by: str, cur: date, after: date,
                 state: RollupState | None) -> dict:
    """{by: {key: {"first"|"solved": {"p50", "p90"}}}} for the current period: from the
    bucketed running totals when they hold the filter (none, or any one of channel, agent,
    team, tier, priority), else percentile_cont over TimedTicket."""
    if connection.vendor != "postgresql":
        return _percentiles_elsewhere(f, trend_by)
    result: dict = defaultdict(lambda: defaultdict(dict))
    wanted = [None, *GROUPINGS, trend_by]
    if cumulative.available(state):
        answered = _bucketed(f, trend_by, cur, after, result)
        wanted = [by for by in wanted if by not in answered]
    if wanted:
        _percentile_cont(f, trend_by, cur, after, wanted, result)
    return result


def _bucketed(f: MetricFilters, trend_by: str, cur: date, after: date, result: dict) -> set:
    """Fill ``result`` for the groupings the running totals can answer; return those."""
    held = cumulative.held_group(f)
    if held is None:
        return set()
    filtered_by, whole = held
    asks = [cumulative.Ask(None, *whole, cur, after)]
    asks += [cumulative.breakdown_ask(by, filtered_by, whole, by, cur, after)
             for by in cumulative.GROUPINGS]
    asks += [cumulative.Ask((trend_by, bucket), *whole, since, until)
             for bucket, since, until in cumulative.trend_buckets(trend_by, cur, after)]
    for (label, key, kind, dimension), values in cumulative.percentiles(asks).items():
        by, group = (label if isinstance(label, tuple)
                     else (label, cumulative.group_key(label, key, dimension)))
        family = "first" if kind == TimedTicket.FIRST else "solved"
        result[by][group][family] = values
    return {None, trend_by, *cumulative.GROUPINGS}


def _percentile_cont(f: MetricFilters, trend_by: str, cur: date, after: date, wanted: list,
                     result: dict) -> None:
    conditions, values = sql_conditions(f)
    where = ["kind IN (%s, %s)", "day >= %s", "day < %s", *conditions]
    params = [TimedTicket.FIRST, TimedTicket.RESOLUTION, cur, after, *values]
    source = (f"SELECT kind, seconds, channel, agent_id, team_id, "  # noqa: S608
              f"date_trunc('{trend_by}', day)::date AS bucket "
              f"FROM {TimedTicket._meta.db_table} WHERE {' AND '.join(where)}")
    names = {None: (), "channel": ("channel",), "agent": ("agent_id",), "team": ("team_id",),
             trend_by: ("bucket",)}
    bys = tuple(wanted)
    sets = tuple(names[by] for by in bys)
    # More work_mem does not help here (measured on 2M rows, PERFORMANCE.md): the time is
    # the sort inside each group's percentile_cont, which PostgreSQL 15 always does itself.
    rows = grouping_sets(source, params, keys=("kind",), sets=sets,
                         aggregates=percentile.sql_all("seconds"))
    columns = tuple(dict.fromkeys(c for s in sets for c in s))
    for row in rows:
        set_index, kind, found = row[0], row[1], row[-len(PERCENTILES):]
        by = bys[set_index]
        key = None if by is None else row[2 + columns.index(names[by][0])]
        family = "first" if kind == TimedTicket.FIRST else "solved"
        result[by][key][family] = dict(zip(PERCENTILES, found, strict=True))


def _percentiles_elsewhere(f: MetricFilters, trend_by: str) -> dict:
    """SQLite: the live window-function percentiles, per grouping (tests only)."""
    result: dict = defaultdict(lambda: defaultdict(dict))
    for by in (None, *GROUPINGS, trend_by):
        for key, row in live_rows(f, by, periods_of(f, None)).items():
            for family in ("first", "solved"):
                values = {n: row[f"{family}_{n}__{CURRENT}"] for n in PERCENTILES
                          if f"{family}_{n}__{CURRENT}" in row}
                if values:
                    result[by][key][family] = values
    return result


def _backlog(f: MetricFilters) -> dict:
    """{by: {key: unresolved now, created before the period's end}}: one live query."""
    qs = ticket_base(f).filter(status__in=Ticket.UNRESOLVED, created_at__lt=f.end)
    source, params = qs.values("channel", "assignee_id", "team_id").query.sql_with_params()
    rows = grouping_sets(source, list(params), keys=(), aggregates="COUNT(*)",
                         sets=((), ("channel",), ("assignee_id",), ("team_id",)))
    result: dict = defaultdict(dict)
    for row in rows:
        by = (None, "channel", "agent", "team")[row[0]]
        result[by][None if by is None else row[row[0]]] = row[-1]
    return result


@contextmanager
def _roomy_grouping(f: MetricFilters) -> Iterator[None]:
    """For a dashboard grouping the totals on PostgreSQL, a transaction with more work_mem:
    with the default 4 MB the planner sorts the grouping sets on disk instead of hashing
    them (120 → 66 ms at 90 days on 1M tickets). Those read from the small marginal tables
    (no filter, a tier or a priority) need neither the memory nor the three statements."""
    if connection.vendor != "postgresql" or _marginal_filter(f) is not None:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        yield


def dashboard_parts(f: MetricFilters, trend_by: str, *,
                    state: RollupState | None | Literal[False] = False) -> dict | None:
    """{by: _parts-shaped rows} for None (current + previous), channel, agent, team and the
    trend; None when the rollups do not hold both periods (callers go live then). ``state``:
    the RollupState the caller already read (None when there is none)."""
    previous = f.previous()
    state = rollups.rollup_state() if state is False else state
    if not rollups.covers(state, periods_of(f, previous)):
        return None
    (first, _cur), (cur, after) = rollups.days_of(previous), rollups.days_of(f)
    with _roomy_grouping(f):
        scores = _score_rows(f, trend_by, first, cur, after)
        tickets = _ticket_rows(f, trend_by, first, cur, after)
        timed = _percentiles(f, trend_by, cur, after, state)
        backlog = _backlog(f)
    result = {}
    for by in (None, *GROUPINGS, trend_by):
        periods = [CURRENT, PREVIOUS] if by is None else [CURRENT]
        keys = set(scores[by]) | set(tickets[by]) | set(timed[by]) | set(backlog.get(by, {}))
        result[by] = {key: {name: _part(scores[by][key][name], tickets[by][key][name],
                                        timed[by][key] if name == CURRENT else {},
                                        backlog, by, key, name)
                            for name in periods} for key in keys}
    return result


def _part(scores: dict, tickets: dict, percentiles: dict, backlog: dict, by: str | None,
          key: object, name: str) -> dict:
    volume = dict(tickets.get("volume", {}))
    if by in (None, *GROUPINGS) and name == CURRENT:
        if key in backlog.get(by, {}):
            volume["backlog"] = backlog[by][key]
        elif tickets.get("tickets", {}).get("anchored"):
            volume["backlog"] = 0  # as the live scan lists a group it counted nothing for
    return {"scores": scores.get("scores", {}), "invites": tickets.get("invites", {}),
            "first": tickets.get("first", {}) | percentiles.get("first", {}),
            "solved": tickets.get("solved", {}) | percentiles.get("solved", {}),
            "volume": volume}
