"""What each metric means (docs/metrics.md), written once; every path that computes a figure
reads it from here: the live queries (metrics/queries/), the rollup refresh
(metrics/fast/refresh.py), the dashboards, the API, the CSV exports and the alerts.

- the survey score **bands** (promoters, detractors, satisfied, easy) and which scale counts;
- the **dimensions** every figure can be filtered (and broken down) by, with the column each
  one is on every table a figure is read from;
- the **percentiles** of times and their rank and interpolation rule;
- the **ticket counts** and the **rates** made of them (FCR, reopen rate).

How a figure is made fast (rollups, buckets, caches: metrics/fast/) is not here: that machinery reads these
definitions, and tests/metrics/test_rollups.py proves it equals the live figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.params import param_choice, param_id
from surveys.models import DETRACTOR_MAX, PROMOTER_MIN, SCALES, Metric
from tickets.models import Channel, Organization, Ticket

# --- Survey scores -------------------------------------------------------------------------


def current_scale(prefix: str = "") -> Q:
    """Responses on their metric's current scale: an old scale never mixes into a figure."""
    q = Q()
    for metric, (low, high) in SCALES.items():
        q |= Q(**{f"{prefix}metric": metric, f"{prefix}scale_min": low, f"{prefix}scale_max": high})
    return q


def current_scale_sql(alias: str) -> str:
    """current_scale for raw SQL over the responses table as ``alias`` (constants only)."""
    return " OR ".join(f"({alias}.metric = '{metric}' AND {alias}.scale_min = {low} "
                       f"AND {alias}.scale_max = {high})" for metric, (low, high) in SCALES.items())


@dataclass(frozen=True)
class Band:
    """The scores ``low``..``high`` (inclusive) of one metric's current scale."""

    metric: str
    low: int
    high: int

    @property
    def values(self) -> range:
        return range(self.low, self.high + 1)

    def lookups(self, prefix: str = "") -> dict:
        """Filter kwargs on the score; an end that is the scale's own end is left out."""
        bottom, top = SCALES[self.metric]
        kwargs = {}
        if self.low > bottom:
            kwargs[f"{prefix}score__gte"] = self.low
        if self.high < top:
            kwargs[f"{prefix}score__lte"] = self.high
        return kwargs

    def q(self, prefix: str = "") -> Q:
        """The band's scores (the metric is the caller's filter)."""
        return Q(**self.lookups(prefix))


# NPS: the bands of surveys (who gets a follow-up or a thank-you) are the score's own.
PROMOTERS = Band(Metric.NPS, PROMOTER_MIN[Metric.NPS], SCALES[Metric.NPS][1])
DETRACTORS = Band(Metric.NPS, SCALES[Metric.NPS][0], DETRACTOR_MAX[Metric.NPS])
PASSIVES = Band(Metric.NPS, DETRACTORS.high + 1, PROMOTERS.low - 1)
# CSAT % counts 4 and 5; CES "easy" is 5-7 (CES 2.0 "agree"). Not the follow-up bands of
# surveys, which are the top and bottom of each scale.
SATISFIED = Band(Metric.CSAT, 4, SCALES[Metric.CSAT][1])
EASY = Band(Metric.CES, 5, SCALES[Metric.CES][1])

# The counts of a score row ("nps_promoters", ...): every path names them so.
SCORE_COUNTS = {"nps_promoters": PROMOTERS, "nps_detractors": DETRACTORS,
                "csat_satisfied": SATISFIED, "ces_easy": EASY}
# What a success is per metric (the rollups' ``good`` column; the alerts' proportion test),
# and the other end where the score has one (``bad``).
GOOD: dict[str, Band] = {Metric.NPS: PROMOTERS, Metric.CSAT: SATISFIED, Metric.CES: EASY}
BAD: dict[str, Band] = {Metric.NPS: DETRACTORS}
# "The responses behind this number" (metrics/exports.py), by the band's name.
CATEGORIES = {"promoter": PROMOTERS, "passive": PASSIVES, "detractor": DETRACTORS,
              "satisfied": SATISFIED, "easy": EASY}


def nps_category_of_mean(mean) -> list[tuple[Q, str]]:
    """(condition on ``mean``, category) in order, for an organization's mean NPS."""
    return [(Q(**{f"{mean}__gte": PROMOTERS.low}), "promoter"),
            (Q(**{f"{mean}__gte": PASSIVES.low}), "passive"),
            (Q(**{f"{mean}__isnull": False}), "detractor")]


# --- Dimensions: one table for every filter ------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """A filter of every figure, and where its value is on each source.

    ``attr`` is the MetricFilters field, ``param`` the query-string name; ``ticket`` the
    lookup from a ticket, ``response`` from a survey response (the copy stored when it was
    answered; priority is not stored, so it goes through the ticket), ``follow_up`` from a
    follow-up, ``column`` the column of the rollup tables and TimedTicket, ``queue`` the
    agent queue's parameter (links from a number to its tickets)."""

    name: str
    attr: str
    param: str
    ticket: str
    response: str
    follow_up: str
    column: str
    queue: str
    parse: object

    def value_of(self, f):
        return getattr(f, self.attr) if self.attr else None


def _choice(choices):
    return lambda params, name, me_id: param_choice(params, name, choices)


def _id(me: bool):
    return lambda params, name, me_id: param_id(params, name, me_id=me_id if me else None)


DIMENSIONS = (
    Dimension("channel", "channel", "channel", "channel", "channel", "response__channel",
              "channel", "channel", _choice(Channel)),
    Dimension("agent", "agent_id", "agent", "assignee_id", "agent_id", "response__agent_id",
              "agent_id", "assignee", _id(me=True)),
    # A follow-up has a team of its own (who closes the loop), the one it is filtered by.
    Dimension("team", "team_id", "team", "team_id", "team_id", "team_id", "team_id", "team",
              _id(me=False)),
    Dimension("tier", "tier", "tier", "customer__organization__tier", "organization_tier",
              "response__organization_tier", "organization_tier", "tier",
              _choice(Organization.Tier)),
    Dimension("priority", "priority", "priority", "priority", "ticket__priority",
              "ticket__priority", "priority", "priority", _choice(Ticket.Priority)),
    # Not a filter of the dashboards (no ``attr``, no rollup column): the alerts' subject.
    Dimension("organization", "", "", "customer__organization_id", "organization_id",
              "response__organization_id", "", "", None),
)
BY_NAME = {d.name: d for d in DIMENSIONS}
FILTERS = tuple(d for d in DIMENSIONS if d.attr)  # the fields of MetricFilters
# The dimensions a figure is broken down by (tables, rollup groupings); time is the trend's.
GROUPINGS = ("channel", "agent", "team")
TRENDS = ("week", "month")


def chosen(f) -> list[tuple[Dimension, object]]:
    """The dimensions ``f`` filters on, with their values."""
    return [(d, d.value_of(f)) for d in DIMENSIONS if d.value_of(f)]


def lookups(f, on: str, prefix: str = "") -> dict:
    """Filter kwargs for ``f`` on a source (``on``: "ticket", "response", "follow_up"
    or "column"), each lookup behind ``prefix``."""
    return {f"{prefix}{getattr(d, on)}": value for d, value in chosen(f)}


def sql_conditions(f, alias: str = "") -> tuple[list[str], list]:
    """(["<column> = %s", ...], params) for ``f`` on the rollup tables / TimedTicket."""
    qualifier = f"{alias}." if alias else ""
    pairs = chosen(f)
    return [f"{qualifier}{d.column} = %s" for d, _value in pairs], [v for _d, v in pairs]


def group_fields(on: str, prefix: str = "") -> dict[str, str]:
    """{grouping: its field on a source}, for group_expression."""
    return {name: f"{prefix}{getattr(BY_NAME[name], on)}" for name in GROUPINGS}


# --- Times -------------------------------------------------------------------------------

# The percentiles of every time (first response, resolution, chat waiting): of n values in
# ascending order, ranked 0..n − 1, the value at position p × (n − 1), linearly interpolated
# between the ranks below and above it; exactly PostgreSQL's percentile_cont. The one SQL
# that asks for them is metrics/queries/percentile.py; it and the bucketed running totals
# (metrics/fast/cumulative.py) pick the ranks and interpolate with the two functions below.
PERCENTILES = {"p50": 0.5, "p90": 0.9}


def percentile_ranks(fraction: float, n: int) -> tuple[int, int]:
    """The 0-based ranks (lower, upper) percentile ``fraction`` of n values lies between."""
    position = fraction * (n - 1)
    return math.floor(position), math.ceil(position)


def percentile_of(fraction: float, n: int, value_at: Callable[[int], float]) -> float:
    """Percentile ``fraction`` of n values, ``value_at(rank)`` the value at a 0-based rank
    (asked only for the ranks of percentile_ranks), as percentile_cont computes it."""
    low, high = percentile_ranks(fraction, n)
    first = float(value_at(low))
    if low == high:
        return first
    return first + (fraction * (n - 1) - low) * (float(value_at(high)) - first)


# --- Ticket counts and the rates made of them ----------------------------------------------


@dataclass(frozen=True)
class TicketCount:
    """Tickets (no spam, not merged) whose ``anchor`` timestamp is in the period and that
    meet ``condition``, a Q on the ticket (its own columns, or its SLA's as ``sla__…``).
    ``anchor``: "created" (created_at) or "solved" (the last solve). ``name`` is the
    rollup column and the count's key in every row."""

    name: str
    anchor: str
    condition: Q


TICKET_COUNTS = (
    TicketCount("fcr", "solved", Q(public_reply_count=1, reopen_count=0)),
    TicketCount("reopened", "solved", Q(reopen_count__gt=0)),
)


@dataclass(frozen=True)
class Rate:
    """``field`` = 100 × a TicketCount ÷ the tickets of its anchor in the period (the
    tickets solved, or created), as a percentage with one decimal."""

    field: str
    count: str
    label: object
    heading: object
    higher_is_better: bool = True
    compared: bool = False  # the tiles test the change against the noise

    @property
    def key(self) -> str:
        """The tile's and the comparison's name: ``fcr`` for ``fcr_pct``."""
        return self.field.removesuffix("_pct")

    @property
    def anchor(self) -> str:
        return COUNTS_BY_NAME[self.count].anchor

    @property
    def denominator(self) -> str:
        """The summary row's field the rate is a share of."""
        return f"tickets_{self.anchor}"


COUNTS_BY_NAME = {c.name: c for c in TICKET_COUNTS}
RATES = (
    Rate("fcr_pct", "fcr", _("First contact resolution"), _("FCR"), compared=True),
    Rate("reopen_pct", "reopened", _("Reopen rate"), _("Reopened"), higher_is_better=False),
)


def counts_of(anchor: str) -> tuple[TicketCount, ...]:
    return tuple(c for c in TICKET_COUNTS if c.anchor == anchor)
