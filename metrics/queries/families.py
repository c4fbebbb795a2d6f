"""One function per metric family; each runs one grouped aggregate query.

Anchors (which timestamp puts a row in the period):
- survey scores: the response's created_at; filtered on the response's own stored
  channel, agent, team and organization tier (docs/metrics.md: no join back to tickets).
  Priority is not stored on a response, so that one filter goes through its ticket.
- response rate: invitations sent in the period, and which of them were answered.
- first response: tickets whose first public agent reply is in the period.
- resolution, FCR, reopen rate, solved: tickets whose (final) solve is in the period.
- created: tickets created in the period; backlog: tickets created before the end of
  the period that are unresolved now.
Spam and merged tickets are left out of every ticket figure.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q, Sum

from surveys.models import FollowUp, Invitation, Kind, Metric, Response

from ..definitions import SCORE_COUNTS, current_scale, group_fields, lookups
from ..filters import MetricFilters
from .base import group_expression, grouped
from .periods import per_period, periods_of, split, window
from .ticket_figures import ticket_base, ticket_figures

__all__ = ["survey_scores", "invitations", "ticket_figures", "ticket_base", "follow_ups"]

LOOP_CLOSED_HOURS = 48


def filtered_responses(f: MetricFilters):
    # Transactional only: relationship answers never mix into these trends
    # (docs/relationship-surveys.md; metrics/relationship.py reads those).
    return Response.objects.filter(current_scale(), kind=Kind.TRANSACTIONAL,
                                   created_at__gte=f.start, created_at__lt=f.end,
                                   **lookups(f, "response"))


def filtered_tickets(f: MetricFilters, prefix: str = ""):
    """Filter kwargs on tickets (or on a relation to them, with ``prefix``)."""
    return lookups(f, "ticket", prefix)


def score_aggregates() -> dict:
    """The counts and sums of a score row, over responses (docs/metrics.md, survey scores)."""
    aggregates, square = {}, F("score") * F("score")
    for metric in (Metric.NPS, Metric.CSAT, Metric.CES):
        aggregates[f"{metric}_n"] = Count("pk", filter=Q(metric=metric))
    for name, band in SCORE_COUNTS.items():
        aggregates[name] = Count("pk", filter=Q(metric=band.metric) & band.q())
    for metric in (Metric.CSAT, Metric.CES):
        aggregates[f"{metric}_sum"] = Sum("score", filter=Q(metric=metric))
        aggregates[f"{metric}_sumsq"] = Sum(square, filter=Q(metric=metric))
    return aggregates


def survey_scores(f: MetricFilters, by: str | None, *,
                  previous: MetricFilters | None = None) -> dict:
    aggregates = score_aggregates()
    group = group_expression(by, fields=group_fields("response"), date_field="created_at")
    periods = periods_of(f, previous)
    qs = filtered_responses(f.with_period(*window(periods)))
    return _by_period(grouped(qs, group, per_period(aggregates, periods, "created_at")), periods)


def invitations(f: MetricFilters, by: str | None, *,
                previous: MetricFilters | None = None) -> dict:
    # Invitations store no channel/agent/team of their own: filtered through the ticket.
    periods = periods_of(f, previous)
    start, end = window(periods)
    qs = Invitation.objects.filter(
        sent_at__gte=start, sent_at__lt=end, kind=Kind.TRANSACTIONAL,
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED],
        **filtered_tickets(f, "ticket__"),
    )
    group = group_expression(by, fields=group_fields("ticket", "ticket__"), date_field="sent_at")
    aggregates = {
        "delivered": Count("pk"),
        "answered": Count("pk", filter=Q(response__isnull=False)),
    }
    return _by_period(grouped(qs, group, per_period(aggregates, periods, "sent_at")), periods)


def _by_period(rows: dict, periods: dict) -> dict:
    """{group key: {period: {aggregate: value}}}."""
    return {key: {name: split(row, name) for name in periods} for key, row in rows.items()}


def filtered_follow_ups(f: MetricFilters):
    return FollowUp.objects.filter(created_at__gte=f.start, created_at__lt=f.end,
                                   response__kind=Kind.TRANSACTIONAL, **lookups(f, "follow_up"))


def follow_ups(f: MetricFilters, *, now) -> dict:
    """Follow-ups opened in the period: open, overdue, and loop closed within 48 hours."""
    window = timedelta(hours=LOOP_CLOSED_HOURS)
    return filtered_follow_ups(f).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=FollowUp.Status.OPEN)),
        overdue=Count("pk", filter=Q(status=FollowUp.Status.OPEN, due_at__lt=now)),
        closed_in_time=Count("pk", filter=Q(closed_at__isnull=False,
                                            closed_at__lte=F("created_at") + window)),
    )
