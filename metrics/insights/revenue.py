"""Revenue at risk and what closing the loop is worth (docs/metrics.md, docs/insights.md).

- Churn rate per NPS category: queries.churn.churn_by_nps_category over the last 12
  months (organizations active a year ago, by the mean of their NPS answers over the
  two years to today, churned by today), as the churn report shows for a 365-day period.
- Revenue at risk of an organization: its annual revenue × the churn rate of its current
  category (the mean of its NPS answers over the last 12 months).
- Renewal after the loop: per organization, its latest follow-up (of the selection) with
  a recorded renewal outcome; "in time" when that follow-up was closed by its due time,
  "overdue" when it was closed later or is still open past due (open and not yet due:
  left out). Renewal rate per group with Wilson intervals, their difference with
  Newcombe's hybrid score interval.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Avg, Case, CharField, F, FloatField, Q, Value, When, Window
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from surveys.models import SCALES, FollowUp, Kind, Metric, Response
from tickets.models import Organization

from .. import stats
from ..filters import MetricFilters
from ..queries.churn import CATEGORIES, churn_by_nps_category, nps_category
from ..queries.families import filtered_follow_ups

YEAR = timedelta(days=365)


def churn_rates(today: date) -> dict[str, float | None]:
    """{category: churn rate 0..1 (None when no organization was in it)}."""
    rows = churn_by_nps_category(today - YEAR, today,
                                 responses_from=_midnight(today - 2 * YEAR),
                                 responses_to=_midnight(today))
    return {r["category"]: (r["churned"] / r["total"] if r["total"] else None) for r in rows}


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _rate_expression(rates: dict) -> Case:
    return Case(*[When(category=c, then=Value(rates[c])) for c in CATEGORIES
                  if rates.get(c) is not None], default=Value(None), output_field=FloatField())


def _open(f: MetricFilters):
    everything = dataclasses.replace(f, start=_midnight(date(1970, 1, 1)),
                                     end=_midnight(date(3000, 1, 1)))
    return (filtered_follow_ups(everything)
            .filter(status=FollowUp.Status.OPEN, response__organization__isnull=False))


def current_categories(organizations, today: date) -> dict[int, str]:
    """{organization id: NPS category} of the given organizations (a queryset of ids), by
    the mean of their NPS answers over the last 12 months: ONE grouped query over their
    answers, with the category expression of queries.churn.nps_category. An organization
    without an answer is absent (no_answer)."""
    start, end = _midnight(today - YEAR), _midnight(today + timedelta(days=1))
    _, category = nps_category(responses_from=start, responses_to=end)
    # The answers nps_category's mean reads, grouped instead of one subquery per row.
    low, high = SCALES[Metric.NPS]
    answers = Response.objects.filter(organization__in=organizations, metric=Metric.NPS,
                                      kind=Kind.TRANSACTIONAL, scale_min=low, scale_max=high,
                                      created_at__gte=start, created_at__lt=end)
    rows = (answers.values("organization").annotate(mean_nps=Avg("score"))
            .annotate(category=category).values_list("organization", "category"))
    return dict(rows)


def open_follow_ups(f: MetricFilters, *, today: date, rates: dict):
    """Open follow-ups of organizations, whenever opened (open now is what is at risk; the
    other filters apply), highest revenue at risk first. The categories come from one
    grouped query (current_categories) and enter the ordering as lists of organization
    ids, so the page costs the same whatever the number of follow-ups."""
    qs = _open(f)
    categories = current_categories(qs.values("response__organization"), today)
    by_category: dict[str, list[int]] = {}
    for organization, name in categories.items():
        by_category.setdefault(name, []).append(organization)
    category = Case(*[When(response__organization__in=ids, then=Value(name))
                      for name, ids in sorted(by_category.items())],
                    default=Value("no_answer"), output_field=CharField())
    revenue = Cast(F("response__organization__annual_revenue"), FloatField())
    return (qs.annotate(category=category).annotate(churn_rate=_rate_expression(rates))
            .annotate(at_risk=revenue * F("churn_rate"))
            .select_related("response__organization", "ticket", "assignee")
            .order_by(F("at_risk").desc(nulls_last=True), "due_at", "pk"))


def total_at_risk(f: MetricFilters, *, today: date, rates: dict) -> float:
    """Revenue at risk summed over the organizations with an open follow-up (each once)."""
    ids = _open(f).values("response__organization")
    categories = current_categories(ids, today)
    total = 0.0
    for pk, revenue in Organization.objects.filter(pk__in=ids).values_list("pk", "annual_revenue"):
        rate = rates.get(categories.get(pk, "no_answer"))
        if rate is not None and revenue is not None:
            total += float(revenue) * rate
    return total


def _timeliness(now) -> Case:
    return Case(
        When(closed_at__isnull=False, closed_at__lte=F("due_at"), then=Value("in_time")),
        When(closed_at__isnull=False, then=Value("overdue")),
        When(due_at__lt=now, then=Value("overdue")),
        default=Value("pending"),
    )


def renewal_report(f: MetricFilters, *, now=None) -> dict:
    """Renewal rate of detractor organizations whose loop closed in time vs overdue."""
    now = now or timezone.now()
    latest = (filtered_follow_ups(f).exclude(renewal="")
              .filter(response__organization__isnull=False)
              .annotate(timeliness=_timeliness(now),
                        rank=Window(RowNumber(), partition_by=F("response__organization"),
                                    order_by=[F("created_at").desc(), F("pk").desc()]))
              .filter(rank=1).values_list("timeliness", "renewal"))
    counts = {g: [0, 0] for g in ("in_time", "overdue")}
    for timeliness, renewal in latest:
        if timeliness in counts:
            counts[timeliness][0] += renewal == "renewed"
            counts[timeliness][1] += 1
    minimum = settings.HELPDESK_MIN_RESPONSES
    groups = {}
    for name, (renewed, n) in counts.items():
        interval = stats.wilson_interval(renewed, n)
        groups[name] = {"organizations": n, "renewed": renewed,
                        "renewal_pct": round(100.0 * renewed / n, 1) if n else None,
                        "ci_low": round(interval[0], 1) if interval else None,
                        "ci_high": round(interval[1], 1) if interval else None,
                        "too_few": n < minimum}
    diff = stats.newcombe_interval(tuple(counts["in_time"]), tuple(counts["overdue"]))
    return {"in_time": groups["in_time"], "overdue": groups["overdue"],
            "difference": round(diff[0], 1) if diff else None,
            "ci_low": round(diff[1], 1) if diff else None,
            "ci_high": round(diff[2], 1) if diff else None,
            "too_few": any(g["too_few"] for g in groups.values()), "min_responses": minimum}


def follow_ups_without_renewal(f: MetricFilters, *, limit: int = 50):
    """Follow-ups of the selection whose organization's renewal is not recorded yet and
    whose loop is decided (closed, or open past due): the ones to record next."""
    return (filtered_follow_ups(f).filter(renewal="", response__organization__isnull=False)
            .filter(Q(status=FollowUp.Status.CLOSED) | Q(due_at__lt=timezone.now()))
            .select_related("response__organization", "ticket", "assignee")
            .order_by("due_at", "pk")[:limit])
