"""Two periods in one scan: aggregates FILTERed by period instead of one query per period.

The dashboard compares the chosen period with the one just before it. Rather than run
every family twice, a family scans [previous.start, current.end) once and each aggregate
carries a FILTER on its anchor timestamp, so the tiles cost one query per family.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.aggregates import AggregateFilter

from ..filters import MetricFilters

CURRENT, PREVIOUS = "cur", "prev"


def periods_of(f: MetricFilters, previous: MetricFilters | None) -> dict[str, MetricFilters]:
    return {CURRENT: f} | ({PREVIOUS: previous} if previous is not None else {})


def window(periods: dict[str, MetricFilters]) -> tuple:
    """The smallest [start, end) holding every period."""
    return min(p.start for p in periods.values()), max(p.end for p in periods.values())


def within(anchor: str, f: MetricFilters) -> Q:
    return Q(**{f"{anchor}__gte": f.start, f"{anchor}__lt": f.end})


def filtered(aggregate, condition: Q | None):
    """The aggregate with ``condition`` ANDed into its FILTER (None leaves it as it is)."""
    if condition is None:
        return aggregate
    clone = aggregate.copy()
    if clone.filter is not None:
        condition = clone.filter.condition & condition
    clone.filter = AggregateFilter(condition)  # what Aggregate(filter=...) stores
    return clone


def per_period(aggregates: dict, periods: dict[str, MetricFilters], anchor: str) -> dict:
    """{"<name>__<period>": aggregate FILTERed to that period's range of ``anchor``}.

    The FILTER is kept even for one period: a scan may hold rows of other anchors."""
    return {f"{alias}__{name}": filtered(agg, within(anchor, p))
            for name, p in periods.items() for alias, agg in aggregates.items()}


def split(row: dict, period: str) -> dict:
    """The aggregates of one period with their plain names."""
    suffix = f"__{period}"
    return {key[: -len(suffix)]: value for key, value in row.items() if key.endswith(suffix)}
