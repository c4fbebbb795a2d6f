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

from surveys.models import SCALES, FollowUp, Invitation, Kind, Metric, Response

from ..filters import MetricFilters
from .base import group_expression, grouped
from .periods import per_period, periods_of, split, window
from .ticket_figures import ticket_base, ticket_figures

__all__ = ["survey_scores", "invitations", "ticket_figures", "ticket_base", "follow_ups"]

LOOP_CLOSED_HOURS = 48

# Only responses on the metric's current scale count, so an old scale never mixes in.
_CANONICAL = (
    Q(metric=Metric.NPS, scale_min=SCALES[Metric.NPS][0], scale_max=SCALES[Metric.NPS][1])
    | Q(metric=Metric.CSAT, scale_min=SCALES[Metric.CSAT][0], scale_max=SCALES[Metric.CSAT][1])
    | Q(metric=Metric.CES, scale_min=SCALES[Metric.CES][0], scale_max=SCALES[Metric.CES][1])
)
_TICKET_FIELDS = {"channel": "channel", "agent": "assignee_id", "team": "team_id"}


def filtered_responses(f: MetricFilters):
    # Transactional only: relationship answers never mix into these trends
    # (docs/relationship-surveys.md; metrics/relationship.py reads those).
    qs = Response.objects.filter(_CANONICAL, kind=Kind.TRANSACTIONAL, created_at__gte=f.start,
                                 created_at__lt=f.end)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.agent_id:
        qs = qs.filter(agent_id=f.agent_id)
    if f.team_id:
        qs = qs.filter(team_id=f.team_id)
    if f.tier:
        qs = qs.filter(organization_tier=f.tier)
    if f.priority:
        qs = qs.filter(ticket__priority=f.priority)
    return qs


def filtered_tickets(f: MetricFilters, prefix: str = ""):
    """Filter kwargs on tickets (or on a relation to them, with ``prefix``)."""
    kwargs = {}
    for key, value in ((f"{prefix}channel", f.channel), (f"{prefix}assignee_id", f.agent_id),
                       (f"{prefix}team_id", f.team_id),
                       (f"{prefix}customer__organization__tier", f.tier),
                       (f"{prefix}priority", f.priority)):
        if value:
            kwargs[key] = value
    return kwargs


def survey_scores(f: MetricFilters, by: str | None, *,
                  previous: MetricFilters | None = None) -> dict:
    nps, csat, ces = Q(metric=Metric.NPS), Q(metric=Metric.CSAT), Q(metric=Metric.CES)
    square = F("score") * F("score")
    aggregates = {
        "nps_n": Count("pk", filter=nps),
        "nps_promoters": Count("pk", filter=nps & Q(score__gte=9)),
        "nps_detractors": Count("pk", filter=nps & Q(score__lte=6)),
        "csat_n": Count("pk", filter=csat),
        "csat_satisfied": Count("pk", filter=csat & Q(score__gte=4)),
        "csat_sum": Sum("score", filter=csat),
        "csat_sumsq": Sum(square, filter=csat),
        "ces_n": Count("pk", filter=ces),
        "ces_easy": Count("pk", filter=ces & Q(score__gte=5)),
        "ces_sum": Sum("score", filter=ces),
        "ces_sumsq": Sum(square, filter=ces),
    }
    fields = {"channel": "channel", "agent": "agent_id", "team": "team_id"}
    group = group_expression(by, fields=fields, date_field="created_at")
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
    fields = {key: f"ticket__{name}" for key, name in _TICKET_FIELDS.items()}
    group = group_expression(by, fields=fields, date_field="sent_at")
    aggregates = {
        "delivered": Count("pk"),
        "answered": Count("pk", filter=Q(response__isnull=False)),
    }
    return _by_period(grouped(qs, group, per_period(aggregates, periods, "sent_at")), periods)


def _by_period(rows: dict, periods: dict) -> dict:
    """{group key: {period: {aggregate: value}}}."""
    return {key: {name: split(row, name) for name in periods} for key, row in rows.items()}


def filtered_follow_ups(f: MetricFilters):
    qs = FollowUp.objects.filter(created_at__gte=f.start, created_at__lt=f.end,
                                 response__kind=Kind.TRANSACTIONAL)
    for key, value in (("response__channel", f.channel), ("response__agent_id", f.agent_id),
                       ("team_id", f.team_id), ("response__organization_tier", f.tier),
                       ("ticket__priority", f.priority)):
        if value:
            qs = qs.filter(**{key: value})
    return qs


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
