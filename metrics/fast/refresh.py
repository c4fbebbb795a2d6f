"""Refresh of the daily rollups: delete the days in range, recompute them set-based.

One INSERT … SELECT … GROUP BY per rollup table, on PostgreSQL and SQLite alike: the local
day of a timestamp comes from the backend's own ``datetime_cast_date_sql`` (AT TIME ZONE on
PostgreSQL, Django's registered function on SQLite), so the SQL below is otherwise plain.
Every count repeats a definition of metrics/queries/families.py; tests/metrics/test_rollups.py
checks that the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from surveys.models import Invitation, Kind, Response
from tickets.models import Customer, Organization, Ticket, TicketSLA

from ..definitions import BAD, GOOD, counts_of, current_scale_sql
from ..filters import day_start
from ..insights.facts import refresh_facts
from . import buckets
from .models import (
    SCORE_VALUES,
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
    TimedCumulative,
    TimedTicket,
)

TICKET_COUNTS = tuple(TICKET_COLUMNS.values())
_DIMS = "t.channel, t.assignee_id, t.team_id, t.priority, o.tier"


# The rollups rewritten day by day; the running totals are rebuilt from TimedTicket.
DAY_TABLES = (DailyTicketStats, DailyTicketTotals, DailyTicketMarginals, DailyScoreStats,
              DailyScoreTotals, DailyScoreMarginals, TimedTicket)
ROLLUP_MODELS = (*DAY_TABLES, TimedCumulative)


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _local_day(column: str) -> tuple[str, list]:
    sql, params = connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)
    return sql, list(params)


def condition_sql(q: Q) -> tuple[str, list]:
    """A TicketCount's condition (definitions.py) as SQL over this module's aliases, ``t``
    the ticket and ``s`` its SLA: compiled by the ORM from the Q the live queries use, so
    the rollups cannot count by another rule."""
    query = Ticket.objects.filter(q).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    quote = connection.ops.quote_name
    for table, alias in ((Ticket, "t"), (TicketSLA, "s")):
        sql = sql.replace(f"{quote(table._meta.db_table)}.", f"{alias}.")
    return sql, list(params)


def _counted(anchor: str) -> dict[str, tuple[str, list]]:
    """{column: (per-row 0/1 SQL, params)} of the TicketCounts anchored on ``anchor``."""
    result = {}
    for count in counts_of(anchor):
        sql, params = condition_sql(count.condition)
        result[count.name] = (_flag(sql), params)
    return result


def _ticket_branches() -> list[tuple[str, str, dict]]:
    """(anchor column, extra FROM/WHERE, {count: per-row expression, or (SQL, params)})
    per anchor."""
    t, s = Ticket._meta.db_table, TicketSLA._meta.db_table
    i, r = Invitation._meta.db_table, Response._meta.db_table
    c, o = Customer._meta.db_table, Organization._meta.db_table
    tier = f"LEFT JOIN {c} c ON c.id = t.customer_id LEFT JOIN {o} o ON o.id = c.organization_id"
    tickets = f"FROM {t} t {tier} LEFT JOIN {s} s ON s.ticket_id = t.id"
    live = "NOT t.is_spam AND t.merged_into_id IS NULL"
    sent = ", ".join(f"'{v}'" for v in (Invitation.Status.SENT, Invitation.Status.ANSWERED))
    created = _counted("created")
    return [
        # The SLA joined only for a count of created tickets that asks it.
        ("t.created_at", f"{tickets if created else f'FROM {t} t {tier}'} WHERE {live}",
         {"anchored": "1", "created": "1", **created}),
        ("t.first_response_at", f"{tickets} WHERE {live}", {
            "anchored": "1",
            "first_timed": _flag("s.first_response_business_seconds IS NOT NULL"),
            "first_with_target": _flag("s.first_response_due_at IS NOT NULL"),
            "first_met": _flag("s.first_response_due_at IS NOT NULL"
                               " AND NOT s.first_response_breached"),
        }),
        ("t.solved_at", f"{tickets} WHERE {live}", {
            "anchored": "1", "solved": "1",
            "solved_timed": _flag("s.resolution_business_seconds IS NOT NULL"),
            "solved_with_target": _flag("s.resolution_due_at IS NOT NULL"),
            "solved_met": _flag("s.resolution_due_at IS NOT NULL AND NOT s.resolution_breached"),
            **_counted("solved"),
        }),
        # Invitations are filtered through their ticket but, like the live query, not
        # limited to non-spam tickets.
        ("i.sent_at", f"FROM {i} i JOIN {t} t ON t.id = i.ticket_id {tier} "
                      f"LEFT JOIN {r} r ON r.invitation_id = i.id WHERE i.status IN ({sent}) "
                      f"AND i.kind = '{Kind.TRANSACTIONAL}'", {
            "invitations_delivered": "1",
            "invitations_answered": _flag("r.id IS NOT NULL"),
        }),
    ]


def _ticket_sql(start: Any, end: Any) -> tuple[str, list]:
    selects, params = [], []
    for anchor, source, counts in _ticket_branches():
        day, day_params = _local_day(anchor)
        columns, column_params = [], []
        for name in TICKET_COUNTS:
            sql, values = counts.get(name, "0"), []
            if isinstance(sql, tuple):
                sql, values = sql
            columns.append(f"{sql} AS {name}")
            column_params += values
        selects.append(f"SELECT {day} AS day, {_DIMS}, {', '.join(columns)} {source} "
                       f"AND {anchor} >= %s AND {anchor} < %s")
        params += [*day_params, *column_params, start, end]
    sums = ", ".join(f"SUM({name})" for name in TICKET_COUNTS)
    table = DailyTicketStats._meta.db_table
    # Table names and constant choices only are interpolated; values are params.
    sql = (f"INSERT INTO {table} (day, channel, agent_id, team_id, priority, "  # noqa: S608
           f"organization_tier, "
           f"{', '.join(TICKET_COUNTS)}) "
           f"SELECT day, channel, assignee_id, team_id, priority, tier, {sums} "
           f"FROM ({' UNION ALL '.join(selects)}) u "
           f"GROUP BY day, channel, assignee_id, team_id, priority, tier")
    return sql, params


def _score_sql(start: Any, end: Any) -> tuple[str, list]:
    day, params = _local_day("r.created_at")
    canonical = current_scale_sql("r")
    histogram = ", ".join(f"SUM({_flag(f'r.score = {v}')})" for v in SCORE_VALUES)
    columns = ", ".join(f"score_{v}" for v in SCORE_VALUES)
    keys = ("r.metric, r.scale_min, r.scale_max, r.channel, r.agent_id, r.team_id, "
            "r.organization_tier, t.priority")
    sql = (f"INSERT INTO {DailyScoreStats._meta.db_table} (day, metric, scale_min, "  # noqa: S608
           f"scale_max, "
           f"channel, agent_id, team_id, organization_tier, priority, n, {columns}) "
           f"SELECT day, metric, scale_min, scale_max, channel, agent_id, team_id, "
           f"organization_tier, priority, COUNT(*), {histogram} "
           f"FROM (SELECT {day} AS day, {keys}, r.score FROM {Response._meta.db_table} r "
           f"LEFT JOIN {Ticket._meta.db_table} t ON t.id = r.ticket_id "
           # Transactional only (docs/relationship-surveys.md): never mixed with relationship.
           f"WHERE ({canonical}) AND r.kind = '{Kind.TRANSACTIONAL}' "
           f"AND r.created_at >= %s AND r.created_at < %s) r "
           f"GROUP BY day, metric, scale_min, scale_max, channel, agent_id, team_id, "
           f"organization_tier, priority")
    return sql, [*params, start, end]


def _derived_sql(model: type[models.Model]) -> str:
    """Fill the histogram's plain sums (good, bad, score_sum, score_sumsq) of fresh rows."""
    def weighted(values: Iterable[int], weight: Callable[[int], int]) -> str:
        return " + ".join(f"{weight(v)} * score_{v}" for v in values)

    def per_metric(column: list[tuple[str, str]]) -> str:
        cases = " ".join(f"WHEN '{metric}' THEN {expression}" for metric, expression in column)
        return f"CASE metric {cases} ELSE 0 END"

    # The bands of definitions.py: GOOD and BAD per metric.
    good = per_metric([(metric, weighted(band.values, lambda v: 1)) for metric, band in GOOD.items()])
    bad = per_metric([(metric, weighted(band.values, lambda v: 1)) for metric, band in BAD.items()])
    values = range(1, 11)  # score 0 adds nothing to either sum
    return (f"UPDATE {model._meta.db_table} SET good = {good}, bad = {bad}, "  # noqa: S608
            f"score_sum = {weighted(values, lambda v: v)}, "
            f"score_sumsq = {weighted(values, lambda v: v * v)} WHERE day >= %s AND day <= %s")


_CLOCKS = ((TimedTicket.FIRST, "t.first_response_at", "s.first_response_business_seconds"),
           (TimedTicket.RESOLUTION, "t.solved_at", "s.resolution_business_seconds"))


def _timed_select(kind: int, anchor: str, seconds: str, columns: str) -> str:
    """The timed tickets of one clock whose anchor is in [%s, %s)."""
    t, s = Ticket._meta.db_table, TicketSLA._meta.db_table
    c, o = Customer._meta.db_table, Organization._meta.db_table
    return (f"SELECT {columns} FROM {t} t JOIN {s} s ON s.ticket_id = t.id "  # noqa: S608
            f"LEFT JOIN {c} c ON c.id = t.customer_id LEFT JOIN {o} o ON o.id = c.organization_id "
            f"WHERE NOT t.is_spam AND t.merged_into_id IS NULL AND {seconds} IS NOT NULL "
            f"AND {anchor} >= %s AND {anchor} < %s")


def _timed_sql(start: Any, end: Any, bounds: dict[int, list[int]]) -> tuple[str, list]:
    """One TimedTicket row per non-spam, unmerged ticket with business seconds, per clock,
    with the value bucket of its seconds."""
    selects, params = [], []
    for kind, anchor, seconds in _CLOCKS:
        day, day_params = _local_day(anchor)
        bucket, bucket_params = buckets.bucket_sql(kind, seconds, bounds)
        selects.append(_timed_select(kind, anchor, seconds,
                                     f"{kind}, {day}, {seconds}, {bucket}, t.channel, t.assignee_id, "
                                     f"t.team_id, t.priority, o.tier"))
        params += [*day_params, *bucket_params, start, end]
    return (f"INSERT INTO {TimedTicket._meta.db_table} (kind, day, seconds, bucket, channel, "  # noqa: S608
            f"agent_id, team_id, priority, organization_tier) "
            f"{' UNION ALL '.join(selects)}"), params


def _timed_values_sql(start: Any, end: Any) -> tuple[str, list]:
    """(kind, seconds) of the timed tickets in [start, end): the data new bounds fit."""
    selects = [_timed_select(kind, anchor, seconds, f"{kind} AS kind, {seconds} AS seconds")
               for kind, anchor, seconds in _CLOCKS]
    return " UNION ALL ".join(selects), [start, end] * len(_CLOCKS)


def _totals_sql(fine: type[models.Model], totals: type[models.Model], columns: str, since: date,
                until: date) -> tuple[str, list]:
    """The coarse table summed from the fine one's fresh days (cheap: no base tables)."""
    keys = "day, channel, agent_id, team_id" + (", metric, scale_min, scale_max"
                                                 if fine is DailyScoreStats else "")
    sums = ", ".join(f"SUM({c})" for c in columns.split(", "))
    return (f"INSERT INTO {totals._meta.db_table} ({keys}, {columns}) "  # noqa: S608
            f"SELECT {keys}, {sums} FROM {fine._meta.db_table} "
            f"WHERE day >= %s AND day <= %s GROUP BY {keys}"), [since, until]


def _marginals_sql(totals: type[models.Model], fine: type[models.Model],
                   marginals: type[models.Model], columns: str, since: date,
                   until: date) -> tuple[str, list]:
    """Each grouping alone per day: unfiltered from the totals, and per organization tier
    and per priority from the fine table; one branch per (filter, Marginal)."""
    extra = ", metric, scale_min, scale_max" if totals is DailyScoreTotals else ""
    sums = ", ".join(f"SUM({c})" for c in columns.split(", "))
    branches = []
    none = "CAST(NULL AS bigint)"  # typed: PostgreSQL resolves a UNION's types branch by branch
    groupings = ((Marginal.ALL, f"'', {none}, {none}", ""),
                 (Marginal.CHANNEL, f"channel, {none}, {none}", ", channel"),
                 (Marginal.AGENT, f"'', agent_id, {none}", ", agent_id"),
                 (Marginal.TEAM, f"'', {none}, team_id", ", team_id"))
    for filtered_by, column, source in ((MarginalFilter.NONE, None, totals),
                                        (MarginalFilter.TIER, "organization_tier", fine),
                                        (MarginalFilter.PRIORITY, "priority", fine)):
        value = f"COALESCE({column}, '')" if column else "''"
        for dimension, picked, group in groupings:
            branches.append(
                f"SELECT {int(dimension)}, {int(filtered_by)}, {value}, day, {picked}{extra}, "  # noqa: S608
                f"{sums} FROM {source._meta.db_table} WHERE day >= %s AND day <= %s "
                f"GROUP BY day{extra}{group}{f', {column}' if column else ''}")
    return (f"INSERT INTO {marginals._meta.db_table} (dimension, filtered_by, filter_value, day, "  # noqa: S608
            f"channel, agent_id, team_id{extra}, {columns}) {' UNION ALL '.join(branches)}"), \
        [since, until] * len(branches)


def _record_coverage(since: date, until: date, *, everything_before: bool) -> None:
    state, _created = RollupState.objects.get_or_create(pk=1)
    if everything_before:  # there is no data before ``since``: every earlier day is empty
        since = date(1970, 1, 1)
    adjoining = (state.covered_from is not None and state.covered_until is not None
                 and since <= state.covered_until + timedelta(days=1)
                 and until >= state.covered_from - timedelta(days=1))
    if adjoining and state.covered_from is not None and state.covered_until is not None:
        # the days held stay one unbroken range
        state.covered_from = min(state.covered_from, since)
        state.covered_until = max(state.covered_until, until)
    else:
        state.covered_from, state.covered_until = since, until
    state.refreshed_at = timezone.now()
    state.save(update_fields=["covered_from", "covered_until", "refreshed_at"])


@transaction.atomic
def refresh_rollups(*, since: date, until: date, everything_before: bool = False) -> None:
    """Recompute the rollups of the local days since..until (both inclusive).

    Runs in one transaction, so readers see the old days or the new ones, never a gap.
    ``everything_before``: the caller knows no ticket or response is older than ``since``
    (``refresh_metrics --all``), so earlier days count as held, empty; on PostgreSQL the
    percentile buckets are then fitted anew to the data."""
    if until < since:
        raise ValueError("until must not be before since")
    # Raw SQL: bounds adapted as the ORM would (SQLite stores naive UTC text).
    adapt = connection.ops.adapt_datetimefield_value
    start, end = adapt(day_start(since)), adapt(day_start(until + timedelta(days=1)))
    for model in DAY_TABLES:
        model.objects.filter(day__gte=since, day__lte=until).delete()
    histogram = "n, " + ", ".join(f"score_{v}" for v in SCORE_VALUES)
    refresh_facts(since=since, until=until)  # the drivers' response facts (docs/insights.md)
    with connection.cursor() as cursor:
        # Table names and constant choices only are interpolated; bounds are params.
        cursor.execute(*_ticket_sql(start, end))
        cursor.execute(*_score_sql(start, end))
        cursor.execute(*_totals_sql(DailyTicketStats, DailyTicketTotals,
                                    ", ".join(TICKET_COUNTS), since, until))
        cursor.execute(*_totals_sql(DailyScoreStats, DailyScoreTotals, histogram, since, until))
        for model in (DailyScoreStats, DailyScoreTotals):
            cursor.execute(_derived_sql(model), [since, until])
        cursor.execute(*_marginals_sql(DailyTicketTotals, DailyTicketStats, DailyTicketMarginals,
                                       ", ".join(TICKET_COUNTS), since, until))
        cursor.execute(*_marginals_sql(DailyScoreTotals, DailyScoreStats, DailyScoreMarginals,
                                       f"{histogram}, good, bad, score_sum, score_sumsq", since, until))
    state = RollupState.objects.filter(pk=1).first()
    fit_now = buckets.enabled() and everything_before
    bounds = (buckets.save_bounds_from(*_timed_values_sql(start, end)) if fit_now
              else buckets.current_bounds())
    with connection.cursor() as cursor:
        cursor.execute(*_timed_sql(start, end, bounds))
    _record_coverage(since, until, everything_before=everything_before)
    if buckets.enabled():
        if fit_now or (state is not None and state.buckets_ready):
            # Rows of days outside since..until keep buckets of the old bounds unless
            # every day was rewritten (everything_before): then only later days, if any.
            if fit_now and TimedTicket.objects.filter(day__gt=until).exists():
                buckets.rebucket_all()
                buckets.rebuild_cumulative(date.min)
            else:
                buckets.rebuild_cumulative(since if not fit_now else date.min)
        else:  # first refresh on PostgreSQL (or after the migration): fit and fill it all
            buckets.rebucket_all()
            buckets.rebuild_cumulative(date.min)
        buckets.mark_ready(True)



def tidy_rollups(*, analyze: bool) -> None:
    """After a refresh, on PostgreSQL: VACUUM the rollup tables, whose rewritten pages have
    left the visibility map, so the percentile reads are index-only again (28 → 79 ms at
    90 days on 1M tickets without it; ~0.5 s after beat's refresh, whether or not the server
    runs autovacuum), and ``analyze`` the planner's statistics after large rewrites (without
    them it chose a bitmap heap scan that spilled to disk). VACUUM cannot run inside a
    transaction (a caller's atomic block): ANALYZE alone then."""
    if connection.vendor != "postgresql":
        return
    verb = ("ANALYZE" if analyze else None) if connection.in_atomic_block else (
        "VACUUM (ANALYZE)" if analyze else "VACUUM")
    if verb is None:
        return
    with connection.cursor() as cursor:
        for model in ROLLUP_MODELS:
            cursor.execute(f"{verb} {model._meta.db_table}")


def first_day_with_data() -> date:
    """The local day of the oldest ticket or response (today when there is none)."""
    oldest = [ts for ts in (Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first(),
                            Response.objects.order_by("created_at").values_list("created_at", flat=True).first())
              if ts is not None]
    return timezone.localtime(min(oldest)).date() if oldest else timezone.localdate()


def refresh_all() -> tuple[date, date]:
    """Every day since the first ticket or response through tomorrow."""
    since, until = first_day_with_data(), timezone.localdate() + timedelta(days=1)
    refresh_rollups(since=since, until=until, everything_before=True)
    return since, until


def refresh_recent(*, days: int) -> tuple[date, date]:
    """The last ``days`` local days through tomorrow (so a period ending tonight is covered
    until the next run); what beat runs. When the rollups hold nothing yet (a new install,
    or a migration that emptied them) it refreshes every day instead, so the dashboards do
    not stay on the slow live queries until someone runs ``refresh_metrics --all``."""
    state = RollupState.objects.filter(pk=1).first()
    if state is None or state.covered_from is None:
        return refresh_all()
    today = timezone.localdate()
    since, until = today - timedelta(days=days - 1), today + timedelta(days=1)
    refresh_rollups(since=since, until=until)
    return since, until
