"""Churn of organizations (docs/metrics.md) and churn by the organization's NPS category."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg, Case, CharField, Count, OuterRef, Q, Subquery, Value, When

from surveys.models import Kind, Metric, Response
from tickets.models import Organization

from ..definitions import current_scale, nps_category_of_mean


def _active_on(day: date) -> Q:
    return (Q(active_since__isnull=False, active_since__lte=day)
            & (Q(churned_at__isnull=True) | Q(churned_at__gt=day)))


def churn_by_period(periods: list[tuple[date, date]]) -> list[dict]:
    """(active at start − still active at end) ÷ active at start, for each period, in ONE
    query of conditional counts."""
    aggregates = {}
    for i, (start, end) in enumerate(periods):
        aggregates[f"active_{i}"] = Count("pk", filter=_active_on(start))
        aggregates[f"kept_{i}"] = Count("pk", filter=_active_on(start) & _active_on(end))
    counts = Organization.objects.aggregate(**aggregates) if periods else {}
    rows = []
    for i, (start, end) in enumerate(periods):
        active, kept = counts[f"active_{i}"], counts[f"kept_{i}"]
        rows.append({"start": start, "end": end, "active_at_start": active,
                     "still_active": kept, "churned": active - kept,
                     "churn_pct": round(100.0 * (active - kept) / active, 1) if active else None})
    return rows


def nps_category(*, responses_from, responses_to, organization=None) -> tuple:
    """(mean NPS subquery, category Case) of an organization (``organization``: an outer
    reference to its id, the current row's pk by default): the category of the mean of
    its NPS answers in [responses_from, responses_to), by the bands of definitions.py
    (promoter, passive, detractor), else no_answer."""
    mean_nps = (Response.objects.filter(current_scale(), organization=organization or OuterRef("pk"),
                                        metric=Metric.NPS, kind=Kind.TRANSACTIONAL,
                                        created_at__gte=responses_from,
                                        created_at__lt=responses_to)
                .values("organization").annotate(mean=Avg("score")).values("mean"))
    category = Case(*(When(condition, then=Value(name))
                      for condition, name in nps_category_of_mean("mean_nps")),
                    default=Value("no_answer"), output_field=CharField())
    return Subquery(mean_nps), category


CATEGORIES = ("promoter", "passive", "detractor", "no_answer")


def churn_by_nps_category(start: date, end: date, *, responses_from, responses_to) -> list[dict]:
    """Organizations active at ``start`` by the category of the mean of their NPS answers
    (nps_category), with how many renewed or churned by ``end``."""
    mean_nps, category = nps_category(responses_from=responses_from, responses_to=responses_to)
    rows = (Organization.objects.filter(_active_on(start))
            .annotate(mean_nps=mean_nps).annotate(category=category)
            .values("category").annotate(total=Count("pk"),
                                         renewed=Count("pk", filter=_active_on(end)))
            .order_by())
    by_category = {row["category"]: row for row in rows}
    result = []
    for name in CATEGORIES:
        row = by_category.get(name, {"total": 0, "renewed": 0})
        churned = row["total"] - row["renewed"]
        result.append({"category": name, "total": row["total"], "renewed": row["renewed"],
                       "churned": churned,
                       "churn_pct": round(100.0 * churned / row["total"], 1) if row["total"]
                       else None})
    return result
