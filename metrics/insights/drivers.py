"""Key drivers (docs/metrics.md "Drivers", docs/insights.md): which ticket facts go with a better
or worse score, over any period and filter, in ONE grouped query over the response facts.

For a factor level L: score(L) is the metric's own definition over the responses at L;
difference = score(L) − score(every other response of the selection), with a 95 %
interval (stats.newcombe_interval for CSAT %, stats.nps_difference_interval for NPS,
stats.mean_difference_interval for the CES mean); gain = (score of the factor's best level
− score(L)) × n(L) ÷ n, i.e. how far the overall score would move if L did as well as the
best level. Levels under the minimum n are greyed with the reason and never ranked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db import connection, models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from surveys.models import Kind, Metric
from tickets.models import Channel, Organization, Ticket

from .. import stats
from ..fast import read
from ..filters import MetricFilters
from ..models import DriverCounts, ResponseFacts, RollupState
from . import facts

# The score bands of docs/metrics.md over raw scores: promoters (NPS 9–10), satisfied (CSAT 4–5),
# easy (CES 5–7) are "good"; NPS detractors (0–6) "bad". The same bands as the score
# rollups (metrics.fast.refresh._derived_sql) and the live families.
GOOD_MIN = {Metric.NPS: 9, Metric.CSAT: 4, Metric.CES: 5}
NPS_BAD_MAX = 6
DIGITS = {Metric.NPS: 1, Metric.CSAT: 1, Metric.CES: 2}


TICKET_KINDS = (Kind.TRANSACTIONAL,)
EVERY_KIND = (Kind.TRANSACTIONAL, Kind.RELATIONSHIP)


@dataclasses.dataclass(frozen=True)
class Factor:
    """A fact the drivers group by: ``level_sql`` maps a facts row (the columns of
    metrics.ResponseFacts, as alias ``x``, plus whatever ``join_sql`` joins) to a level
    value, NULL when unknown. ``kinds``: the survey kinds it applies to (a relationship
    answer has no ticket, so ticket facts are not its factors)."""

    name: str
    label: Promise | str
    levels: tuple[tuple[str, Promise | str], ...]
    level_sql: str
    join_sql: str = ""
    kinds: tuple[str, ...] = TICKET_KINDS
    closed: bool = False  # only ``levels``: another value counts as unknown


def _choices(choices) -> tuple:
    return tuple((value, label) for value, label in choices.choices)


BUILTIN_FACTORS = (
    Factor("first_response_sla", _("First response SLA"),
           (("met", _("met")), ("breached", _("breached"))),
           "CASE x.first_response_sla WHEN 0 THEN 'met' WHEN 1 THEN 'breached' END"),
    Factor("resolution_sla", _("Resolution SLA"),
           (("met", _("met")), ("breached", _("breached"))),
           "CASE x.resolution_sla WHEN 0 THEN 'met' WHEN 1 THEN 'breached' END"),
    Factor("reopened", _("Reopened"), (("yes", _("yes")), ("no", _("no"))),
           "CASE x.reopened WHEN 1 THEN 'yes' ELSE 'no' END"),
    Factor("fcr", _("First contact resolution"), (("yes", _("yes")), ("no", _("no"))),
           "CASE x.fcr WHEN 1 THEN 'yes' WHEN 0 THEN 'no' END"),
    Factor("agent_replies", _("Public agent replies"), (("1", "1"), ("2", "2"), ("3+", "3+")),
           "CASE x.agent_replies WHEN 1 THEN '1' WHEN 2 THEN '2' WHEN 3 THEN '3+' END"),
    Factor("handoffs", _("Handoffs"), (("0", "0"), ("1+", "1+")),
           "CASE WHEN x.handoffs > 0 THEN '1+' ELSE '0' END"),
    Factor("channel", _("Channel"), _choices(Channel), "NULLIF(x.channel, '')"),
    Factor("tier", _("Organization tier"), _choices(Organization.Tier),
           "NULLIF(x.organization_tier, '')", kinds=EVERY_KIND),
    Factor("priority", _("Priority"), _choices(Ticket.Priority), "NULLIF(x.priority, '')"),
)

# Extension point: more factors. A provider returns Factor objects whose ``level_sql``
# reads the facts (alias ``x``, with ``x.ticket_id``) and the tables its ``join_sql``
# LEFT JOINs; it is called once per request (labels in the user's language) and must
# cost a constant number of queries. custom_factors.py registers the custom fields.
FACTOR_PROVIDERS: list[Callable[[], list[Factor]]] = []


def all_factors(kind: str = Kind.TRANSACTIONAL) -> list[Factor]:
    """The factors of a survey kind: the built-in ones, then each provider's."""
    found = list(BUILTIN_FACTORS)
    for provider in FACTOR_PROVIDERS:
        found.extend(provider())
    return [x for x in found if kind in x.kinds]


def factor_names(kind: str = Kind.TRANSACTIONAL) -> list[str]:
    return [f.name for f in all_factors(kind)]


BUILTIN_NAMES = frozenset(x.name for x in BUILTIN_FACTORS)


def refresh_driver_counts(*, since, until) -> None:
    """Rewrite the DriverCounts of the local days since..until (inclusive) from the facts
    of those days: per day, kind, metric, factor and level (and the whole day), for the
    built-in factors and each provider's (the custom fields, at the tickets' current
    values). Called by facts.refresh_facts inside the rollup refresh's transaction."""
    lock_counts()
    DriverCounts.objects.filter(day__gte=since, day__lte=until).delete()
    extra = [factor for provider in FACTOR_PROVIDERS for factor in provider()]
    write_counts(since=since, until=until, factors=list(BUILTIN_FACTORS) + extra, whole_day=True)


def lock_counts() -> None:
    """Serialize the writers of DriverCounts (the refresh, custom_factors' rewrites on a
    field change): each takes the rollup state's row lock first, in its transaction."""
    RollupState.objects.select_for_update().filter(pk=1).first()


def write_counts(*, since, until, factors: list[Factor], whole_day: bool = False) -> None:
    """INSERT the DriverCounts of ``factors`` (and of the whole day when ``whole_day``) for
    the local days since..until from the facts; the caller deleted the rows it rewrites."""
    facts_table, table = ResponseFacts._meta.db_table, DriverCounts._meta.db_table
    where = "x.metric = %s AND x.day >= %s AND x.day <= %s"
    days = [connection.ops.adapt_datefield_value(since), connection.ops.adapt_datefield_value(until)]
    with connection.cursor() as cursor:
        for metric in GOOD_MIN:
            aggregates = _aggregates(metric)
            branches = [f"SELECT x.day, x.kind, x.metric, x.channel, '', '', {aggregates} "  # noqa: S608
                        f"FROM {facts_table} x WHERE {where} "
                        f"GROUP BY x.day, x.kind, x.metric, x.channel"] if whole_day else []
            branches += [f"SELECT x.day, x.kind, x.metric, x.channel, '{factor.name}', "  # noqa: S608
                         f"{factor.level_sql}, {aggregates} FROM {facts_table} x "
                         f"{factor.join_sql} WHERE {where} AND {factor.level_sql} IS NOT NULL "
                         f"GROUP BY x.day, x.kind, x.metric, x.channel, {factor.level_sql}"
                         for factor in factors]
            if not branches:
                return
            # Table names, the factors' constant SQL and integer ids only are interpolated.
            cursor.execute(f"INSERT INTO {table} (day, kind, metric, channel, factor, level, n, good, "  # noqa: S608
                           f"bad, total, squares) " + " UNION ALL ".join(branches),
                           [metric, *days] * len(branches))


def _countable(f: MetricFilters) -> bool:
    """The counts are per channel: every filter but the channel needs the facts."""
    return not (f.agent_id or f.team_id or f.tier or f.priority)


def _counted_rows(f: MetricFilters, metric: str, kind: str, chosen: list[Factor],
                  days: tuple[date, date]) -> list[tuple]:
    """The rows of _grouped_counts from DriverCounts: a period the rollups hold, no
    filter but the channel (one query summing a few rows per day and channel)."""
    index = {factor.name: i for i, factor in enumerate(chosen)}
    rows = (DriverCounts.objects.filter(kind=kind, metric=metric, day__gte=days[0], day__lt=days[1],
                                        factor__in=["", *index],
                                        **({"channel": f.channel} if f.channel else {}))
            .values_list("factor", "level").annotate(
                n=models.Sum("n"), good=models.Sum("good"), bad=models.Sum("bad"),
                total=models.Sum("total"), squares=models.Sum("squares")).order_by())
    return [(index.get(factor) if factor else None, level if factor else None, *counts)
            for factor, level, *counts in rows]


def _source(f: MetricFilters, metric: str, kind: str, joins: str,
            held: tuple[date, date] | None) -> tuple[str, list]:
    """FROM … WHERE of the selection: the facts rollup when it holds every day of the
    period (``held``: its [first, after) days), else the same facts computed live; ``joins``
    go between the two."""
    if held:
        sql, params = (f"FROM {ResponseFacts._meta.db_table} x {joins} "
                       "WHERE x.day >= %s AND x.day < %s", list(held))
    else:
        live, live_params = facts.live_facts(f.start, f.end)
        sql, params = f"FROM ({live}) x {joins} WHERE 1 = 1", live_params
    sql += " AND x.kind = %s AND x.metric = %s"
    params += [kind, metric]
    for column, value in (("channel", f.channel), ("agent_id", f.agent_id),
                          ("team_id", f.team_id), ("organization_tier", f.tier),
                          ("priority", f.priority)):
        if value:
            sql += f" AND x.{column} = %s"
            params.append(value)
    return sql, params


def _aggregates(metric: str) -> str:
    good, bad = GOOD_MIN[metric], NPS_BAD_MAX if metric == Metric.NPS else -1
    return (f"COUNT(*), SUM(CASE WHEN score >= {good} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN score <= {bad} THEN 1 ELSE 0 END), SUM(score), SUM(score * score)")


def _grouped_counts(f: MetricFilters, metric: str, kind: str, chosen: list[Factor],
                    held: tuple[date, date] | None) -> list[tuple]:
    """(factor index or None for the whole selection, level, n, good, bad, sum, sumsq)."""
    joins = " ".join(factor.join_sql for factor in chosen if factor.join_sql)
    source, params = _source(f, metric, kind, joins, held)
    levels = ", ".join(f"{factor.level_sql} AS l{i}" for i, factor in enumerate(chosen))
    inner = f"SELECT {levels}, x.score AS score {source}"
    aggregates = _aggregates(metric)
    m = len(chosen)
    if not m:  # a kind without factors: only the whole selection
        inner = f"SELECT x.score AS score {source}"
    with connection.cursor() as cursor:
        if not m:
            cursor.execute(f"SELECT {aggregates} FROM ({inner}) g", params)  # noqa: S608
            return [(None, None, *cursor.fetchone())]
        if connection.vendor == "postgresql":
            # One scan: GROUPING() tells which set a row belongs to (a bit per column,
            # set when the column is not grouped; the first column is the highest bit).
            columns = ", ".join(f"l{i}" for i in range(m))
            sets = ", ".join(["()"] + [f"(l{i})" for i in range(m)])
            cursor.execute(f"SELECT GROUPING({columns}), {columns}, {aggregates} "  # noqa: S608
                           f"FROM ({inner}) g GROUP BY GROUPING SETS ({sets})", params)
            full = (1 << m) - 1
            rows = []
            for grouping, *rest in cursor.fetchall():
                values, counts = rest[:m], rest[m:]
                index = None if grouping == full else m - (full ^ grouping).bit_length()
                rows.append((index, None if index is None else values[index], *counts))
            return rows
        # SQLite: the selection once, as a materialized CTE, grouped once per factor.
        # Only table names, the factors' constant SQL and counts are interpolated.
        branches = [f"SELECT NULL, NULL, {aggregates} FROM g"]  # noqa: S608
        branches += [f"SELECT {i}, l{i}, {aggregates} FROM g GROUP BY l{i}" for i in range(m)]  # noqa: S608
        cursor.execute(f"WITH g AS MATERIALIZED ({inner}) "  # noqa: S608
                       + " UNION ALL ".join(branches), params)
        return [tuple(row) for row in cursor.fetchall()]


@dataclasses.dataclass
class Counts:
    n: int = 0
    good: int = 0
    bad: int = 0
    total: float = 0.0
    squares: float = 0.0

    def minus(self, other: Counts) -> Counts:
        return Counts(self.n - other.n, self.good - other.good, self.bad - other.bad,
                      self.total - other.total, self.squares - other.squares)


def score_of(metric: str, c: Counts) -> float | None:
    """The metric's own definition (docs/metrics.md), unrounded."""
    if c.n == 0:
        return None
    if metric == Metric.NPS:
        return stats.nps_score(c.good, c.bad, c.n)
    if metric == Metric.CSAT:
        return 100.0 * c.good / c.n
    return c.total / c.n


def difference_interval(metric: str, level: Counts, rest: Counts):
    if metric == Metric.NPS:
        return stats.nps_difference_interval((level.good, level.bad, level.n),
                                             (rest.good, rest.bad, rest.n))
    if metric == Metric.CSAT:
        return stats.newcombe_interval((level.good, level.n), (rest.good, rest.n))
    return stats.mean_difference_interval((level.total, level.squares, level.n),
                                          (rest.total, rest.squares, rest.n))


INTERVAL_METHODS = {
    Metric.NPS: "adjusted-wald-difference",
    Metric.CSAT: "newcombe-hybrid-score",
    Metric.CES: "welch-t",
}


def _round(value, digits):
    return None if value is None else round(value, digits)


def key_drivers(f: MetricFilters, metric: str, factors: list[str] | None = None, *,
                kind: str = Kind.TRANSACTIONAL, available: list[Factor] | None = None) -> dict:
    """The drivers of docs/api.md ("Insights") among the answers of one survey kind,
    ranked by gain; greyed levels last. ``available``: all_factors(kind), when the caller
    has it already (it validated ``factors`` against it)."""
    available = all_factors(kind) if available is None else available
    chosen = [x for x in available if factors is None or x.name in factors]
    held = read.held_days(f)
    if held and _countable(f):
        # Every factor from the per-day counts (the custom fields' included: their rows
        # follow the tickets' current values, custom_factors.py).
        rows = _counted_rows(f, metric, kind, chosen, held)
    else:
        rows = _grouped_counts(f, metric, kind, chosen, held)
    total = Counts()
    by_level: dict[tuple[int, str], Counts] = {}
    for index, level, n, good, bad, total_score, squares in rows:
        counts = Counts(n or 0, good or 0, bad or 0, float(total_score or 0), float(squares or 0))
        if index is None:
            total = counts
        elif level is not None:
            by_level[(index, str(level))] = counts
    minimum, digits = settings.HELPDESK_MIN_RESPONSES, DIGITS[metric]
    drivers = []
    for index, factor in enumerate(chosen):
        drivers += _factor_rows(metric, factor, index, by_level, total, minimum, digits)
    ranked = sorted((d for d in drivers if not d["too_few"]), key=lambda d: -d["gain"])
    greyed = [d for d in drivers if d["too_few"]]
    for rank, driver in enumerate(ranked, start=1):
        driver["rank"] = rank
    overall = score_of(metric, total)
    return {"metric": metric, "kind": kind, "n": total.n, "score": _round(overall, digits),
            "too_few": total.n < minimum, "min_responses": minimum,
            "reason": (str(_("Fewer than %(min)d responses in this selection.") % {"min": minimum})
                       if total.n < minimum else ""),
            "interval_method": INTERVAL_METHODS[metric], "drivers": ranked + greyed}


def _factor_rows(metric, factor: Factor, index: int, by_level: dict, total: Counts,
                 minimum: int, digits: int) -> list[dict]:
    known = dict(factor.levels)
    values = list(known) + ([] if factor.closed else
                            sorted(v for (i, v) in by_level if i == index and v not in known))
    levels = {v: by_level.get((index, v), Counts()) for v in values}
    rows = []
    for value, counts in levels.items():
        rest = total.minus(counts)
        too_few = counts.n < minimum or rest.n < minimum
        interval = difference_interval(metric, counts, rest)
        reason = ""
        if counts.n < minimum:
            reason = _("Fewer than %(min)d responses at this level.") % {"min": minimum}
        elif rest.n < minimum:
            reason = _("Fewer than %(min)d responses at the other levels.") % {"min": minimum}
        rows.append({"factor": factor.name, "factor_label": str(factor.label),
                     "level": value, "level_label": str(known.get(value, value)),
                     "n": counts.n, "score": score_of(metric, counts),
                     "rest_n": rest.n, "rest_score": score_of(metric, rest),
                     "difference": interval[0] if interval else None,
                     "ci_low": interval[1] if interval else None,
                     "ci_high": interval[2] if interval else None,
                     "share": counts.n / total.n if total.n else 0.0,
                     "too_few": too_few, "reason": str(reason), "gain": None, "rank": None})
    usable = [r for r in rows if not r["too_few"]]
    best = max((r["score"] for r in usable), default=None)
    for row in usable:
        row["gain"] = (best - row["score"]) * row["share"]
        row["better_level"] = next(r["level"] for r in usable if r["score"] == best)
    for row in rows:
        for key in ("score", "rest_score", "difference", "ci_low", "ci_high"):
            row[key] = _round(row[key], digits)
        row["gain"] = _round(row["gain"], digits + 1)
        row["share"] = round(row["share"], 4)
    return rows


from . import custom_factors  # noqa: E402, F401  (registers the custom field factors)
