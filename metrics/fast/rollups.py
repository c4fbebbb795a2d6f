"""The metric families read from the daily rollups (metrics.models), for whole local days.

Each function returns exactly the shape of its live twin in families.py / ticket_figures.py,
so summary.py assembles rows the same way whichever source answered. What a sum cannot
give (median and p90 business seconds, the backlog "unresolved now") is still asked of the
live tables, in one query that carries only those aggregates.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import cast

from django.db.models import Model, Q, QuerySet, Sum
from django.utils import timezone

from ..definitions import TRENDS, group_fields, lookups
from ..filters import MetricFilters
from ..queries.base import group_expression, grouped
from ..queries.periods import filtered, split, window
from ..queries.ticket_figures import live_rows, unpack_rows
from . import cumulative
from .models import (
    SCORE_COLUMNS,
    TICKET_COLUMNS,
    DailyScoreStats,
    DailyScoreTotals,
    DailyTicketStats,
    DailyTicketTotals,
    RollupState,
)

_FIELDS = group_fields("column")


def rollup_state() -> RollupState | None:
    return RollupState.objects.filter(pk=1, covered_from__isnull=False).first()


def local_day(moment: datetime) -> date | None:
    """The local date of a midnight, None when the moment is not one."""
    local = timezone.localtime(moment)
    return local.date() if local.time() == time.min else None


def days_of(p: MetricFilters) -> tuple[date, date]:
    """[first, after) local days of a period ``covers`` accepted (whole local days)."""
    return cast(date, local_day(p.start)), cast(date, local_day(p.end))


def covers(state: RollupState | None, periods: dict[str, MetricFilters]) -> bool:
    """Whether every period is whole local days that the rollups hold."""
    if state is None or state.covered_from is None or state.covered_until is None:
        return False
    for p in periods.values():
        first, after = local_day(p.start), local_day(p.end)
        if first is None or after is None or first < state.covered_from \
                or (after - first).days < 1 or after.toordinal() - 1 > state.covered_until.toordinal():
            return False
    return True


def _days(p: MetricFilters) -> Q:
    return Q(day__gte=local_day(p.start), day__lt=local_day(p.end))


def _per_period(aggregates: dict, periods: dict) -> dict:
    return {f"{alias}__{name}": filtered(agg, _days(p))
            for name, p in periods.items() for alias, agg in aggregates.items()}


def _scoped(fine: type[Model], totals: type[Model], f: MetricFilters, periods: dict) -> QuerySet:
    """Rows of the days asked for; from the coarse totals unless tier or priority filter."""
    start, end = window(periods)
    model = fine if (f.tier or f.priority) else totals
    return model._default_manager.filter(_days(MetricFilters(start, end)), **lookups(f, "column"))


def _score_aggregates() -> dict:
    """Plain column sums: the histogram arithmetic was done at refresh time."""
    aggregates = {}
    for metric, names in SCORE_COLUMNS.items():
        only = Q(metric=metric)
        aggregates[f"{metric}_n"] = filtered(Sum("n"), only)
        for name, column in names.items():
            aggregates[f"{metric}_{name}"] = filtered(Sum(column), only)
    return aggregates


def survey_scores(f: MetricFilters, by: str | None, periods: dict) -> dict:
    qs = _scoped(DailyScoreStats, DailyScoreTotals, f, periods)
    group = group_expression(by, fields=_FIELDS, date_field="day")
    rows = grouped(qs, group, _per_period(_score_aggregates(), periods))
    return {key: {name: split(row, name) for name in periods} for key, row in rows.items()}


_TICKET_SUMS = {f"{part}_{name}": column for (part, name), column in TICKET_COLUMNS.items()
                if part != "tickets"}


def tickets_and_invitations(f: MetricFilters, by: str | None, periods: dict,
                            state: RollupState | None = None) -> tuple[dict, dict]:
    """(ticket figures, invitations) as families.ticket_figures and families.invitations
    return them: the counts from one rollup query, the percentiles from the bucketed
    running totals where they hold the filter (else from the tickets), the backlog live."""
    qs = _scoped(DailyTicketStats, DailyTicketTotals, f, periods)
    group = group_expression(by, fields=_FIELDS, date_field="day")
    sums = {alias: Sum(column) for alias, column in _TICKET_SUMS.items()}
    rows = grouped(qs, group, _per_period(sums, periods) | {"anchored": Sum("anchored")})
    timed = cumulative.breakdown_rows(f, by, periods, state)
    extras = [live_rows(f, by, periods)] if timed is None else [
        timed, live_rows(f, by, periods, percentiles=False)]
    for extra_rows in extras:
        for key, extra in extra_rows.items():
            rows.setdefault(key, {}).update(extra)
    for row in rows.values():
        # The live scan counts a backlog of 0 for each group it lists (see ticket_figures).
        if row.pop("anchored", None) and by not in TRENDS:
            row.setdefault("created_backlog__cur", 0)
    invites = {}
    for key, row in rows.items():
        invites[key] = {name: {k[len("invites_"):]: v for k, v in split(row, name).items()
                               if k.startswith("invites_")} for name in periods}
        for alias in [k for k in row if k.startswith("invites_")]:
            del row[alias]
    return unpack_rows(rows, periods), invites
