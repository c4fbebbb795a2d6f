"""The one read interface of the metric figures (docs/metrics.md, "Where the code is").

Every page, the API, the CSV exports, the digest and the drivers read figures through the
functions here; none of them chooses a source. Each function answers from the speed
machinery of this package when it holds the period (the daily rollups, the bucketed running
totals behind the percentiles, the dashboard's grouped SQL and its cache), else live from
metrics/queries/, and returns plain figures: the rows of metrics/queries/summary.py, equal
whichever source answered (tests/metrics/test_rollups.py, test_dashboard_query.py,
test_percentiles.py).

- ``summary(f)``, ``summary_pair(f)``: one period's row; that of f and of the period just
  before it (one query per family for both);
- ``breakdown(f, by)``: a row per channel, agent, team, week or month (``DIMENSIONS``);
- ``dashboard_figures(f, trend_by)``: everything the manager dashboard shows;
- ``follow_up_summary(f)``, ``chat_figures(f)``: follow-ups and live chat (always live);
- ``rollup_state()``, ``as_of(f, state)``, ``held_days(f)``: whether, and as of when, the
  rollups hold a period (the "figures as of" line; the drivers' own per-day counts).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils import timezone

from ..definitions import GROUPINGS, TRENDS
from ..filters import MetricFilters
from ..queries import families
from ..queries.chat import chat_figures
from ..queries.periods import CURRENT, PREVIOUS, periods_of
from ..queries.summary import EMPTY, breakdown_rows, build_row, known_labels, pct
from . import rollups
from .cache import cached_dashboard_parts, trend_dimension
from .models import RollupState

DIMENSIONS = (*GROUPINGS, *TRENDS)  # what a breakdown may be by

__all__ = ["DIMENSIONS", "as_of", "breakdown", "chat_figures", "dashboard_figures",
           "follow_up_summary", "held_days", "rollup_state", "summary", "summary_pair",
           "trend_dimension"]


def rollup_state() -> RollupState | None:
    """The rollups' state row (None before the first refresh); read once per request and
    passed to the functions that take ``state``."""
    return rollups.rollup_state()


def as_of(f: MetricFilters, state: RollupState | None) -> datetime | None:
    """When the rollups answer ``f`` and the period before it: their last refresh (local
    time); else None (live figures)."""
    covered = rollups.covers(state, {CURRENT: f, PREVIOUS: f.previous()})
    if not covered or state is None or state.refreshed_at is None:
        return None
    return timezone.localtime(state.refreshed_at)


def held_days(f: MetricFilters) -> tuple[date, date] | None:
    """[first, after) local days of ``f`` when the rollups hold every one of them, else None."""
    if not rollups.covers(rollups.rollup_state(), {CURRENT: f}):
        return None
    return rollups.days_of(f)


def _families(f: MetricFilters, by: str | None, previous: MetricFilters | None) -> tuple:
    """(scores, invitations, tickets): from the daily rollups when they hold every day
    asked for, else live (see rollups.py and PERFORMANCE.md)."""
    state = rollups.rollup_state()
    use = rollups.covers(state, periods_of(f, previous))
    if use:
        scores = rollups.survey_scores(f, by, periods_of(f, previous))
        tickets, invites = rollups.tickets_and_invitations(f, by, periods_of(f, previous), state)
    else:
        scores = families.survey_scores(f, by, previous=previous)
        invites = families.invitations(f, by, previous=previous)
        tickets = families.ticket_figures(f, by, previous=previous)
    return scores, invites, tickets


def _parts(f: MetricFilters, by: str | None, previous: MetricFilters | None = None) -> dict:
    """{group key: {period: build_row keyword arguments}} from three queries, whatever
    the number of periods."""
    scores, invites, tickets = _families(f, by, previous)
    periods = [CURRENT] + ([PREVIOUS] if previous is not None else [])
    result = {}
    for key in set().union(scores, invites, tickets):
        result[key] = {name: {
            "scores": scores.get(key, {}).get(name, {}),
            "invites": invites.get(key, {}).get(name, {}),
            "first": tickets.get(key, {}).get(name, {}).get("first", {}),
            "solved": tickets.get(key, {}).get(name, {}).get("solved", {}),
            "volume": tickets.get(key, {}).get(name, {}).get("volume", {}),
        } for name in periods}
    return result


def summary(f: MetricFilters) -> dict:
    return build_row(**_parts(f, None).get(None, {}).get(CURRENT, EMPTY))


def summary_pair(f: MetricFilters) -> tuple[dict, dict]:
    """The summary of a period and of the period of the same length just before it,
    from one query per family (the tiles' comparison)."""
    parts = _parts(f, None, f.previous()).get(None, {})
    return (build_row(**parts.get(CURRENT, EMPTY)), build_row(**parts.get(PREVIOUS, EMPTY)))


def breakdown(f: MetricFilters, by: str) -> list[dict]:
    """A row per group with the summary's fields, plus ``key`` and ``label``."""
    return breakdown_rows(_parts(f, by), by)


def dashboard_figures(f: MetricFilters, trend_by: str, *, state: RollupState | None | Literal[False] = False,
                      names: dict | None = None) -> dict:
    """The manager dashboard's figures: {"current", "previous", "trend", "tables"}; from a
    few grouped rollup queries when the rollups hold both periods (grouped.py), cached per
    refresh (cache.py). ``state``: the RollupState already read; ``names``: {"agent"|"team":
    {id: name}} the caller already has (the filter choices), to label the tables without
    asking again."""
    parts = cached_dashboard_parts(f, trend_by, state=state)
    if parts is None:
        current, previous = summary_pair(f)
        return {"current": current, "previous": previous, "trend": breakdown(f, trend_by),
                "tables": {by: breakdown(f, by) for by in GROUPINGS},
                "all_as_of_refresh": False}
    pair = parts[None].get(None, {})
    return {"current": build_row(**pair.get(CURRENT, EMPTY)),
            "previous": build_row(**pair.get(PREVIOUS, EMPTY)),
            "trend": breakdown_rows(parts[trend_by], trend_by),
            "tables": {by: breakdown_rows(parts[by], by, known_labels(parts[by], (names or {}).get(by)))
                       for by in GROUPINGS},
            # medians, p90 and the backlog too (computed with the cached entry)
            "all_as_of_refresh": True}


def follow_up_summary(f: MetricFilters) -> dict:
    counts = families.follow_ups(f, now=timezone.now())
    return {**counts, "closed_in_time_pct": pct(counts["closed_in_time"], counts["total"]),
            "window_hours": families.LOOP_CLOSED_HOURS}
