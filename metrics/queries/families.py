"""One function per metric family; each runs one grouped aggregate query.

Anchors (which timestamp puts a row in the period):
- survey scores: the response's created_at; filtered on the response's own stored
  channel, agent, team and organization tier (DESIGN.md: no join back to tickets).
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

from surveys.models import SCALES, FollowUp, Invitation, Metric, Response
from tickets.models import Ticket

from ..filters import MetricFilters
from .base import (
    PercentileCont,
    group_expression,
    grouped,
    percentiles_by_window,
    uses_percentile_cont,
)

LOOP_CLOSED_HOURS = 48

# Only responses on the metric's current scale count, so an old scale never mixes in.
_CANONICAL = (
    Q(metric=Metric.NPS, scale_min=SCALES[Metric.NPS][0], scale_max=SCALES[Metric.NPS][1])
    | Q(metric=Metric.CSAT, scale_min=SCALES[Metric.CSAT][0], scale_max=SCALES[Metric.CSAT][1])
    | Q(metric=Metric.CES, scale_min=SCALES[Metric.CES][0], scale_max=SCALES[Metric.CES][1])
)
_TICKET_FIELDS = {"channel": "channel", "agent": "assignee_id", "team": "team_id"}


def filtered_responses(f: MetricFilters):
    qs = Response.objects.filter(_CANONICAL, created_at__gte=f.start, created_at__lt=f.end)
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


def ticket_base(f: MetricFilters):
    return Ticket.objects.filter(is_spam=False, merged_into__isnull=True, **filtered_tickets(f))


def survey_scores(f: MetricFilters, by: str | None) -> dict:
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
    return grouped(filtered_responses(f), group, aggregates)


def invitations(f: MetricFilters, by: str | None) -> dict:
    # Invitations store no channel/agent/team of their own: filtered through the ticket.
    qs = Invitation.objects.filter(
        sent_at__gte=f.start, sent_at__lt=f.end,
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED],
        **filtered_tickets(f, "ticket__"),
    )
    fields = {key: f"ticket__{name}" for key, name in _TICKET_FIELDS.items()}
    group = group_expression(by, fields=fields, date_field="sent_at")
    aggregates = {
        "delivered": Count("pk"),
        "answered": Count("pk", filter=Q(response__isnull=False)),
    }
    return grouped(qs, group, aggregates)


def _timed(qs, by, *, date_field: str, seconds: str, due: str, breached: str) -> dict:
    group = group_expression(by, fields=_TICKET_FIELDS, date_field=date_field)
    aggregates = {
        "timed_n": Count(seconds),
        "with_target": Count("pk", filter=Q(**{f"{due}__isnull": False})),
        "met": Count("pk", filter=Q(**{f"{due}__isnull": False, breached: False})),
    }
    return group, aggregates


def _add_percentiles(rows: dict, qs, group, seconds: str, aggregates: dict) -> dict:
    if uses_percentile_cont():
        return rows  # computed inside the same query
    for key, values in percentiles_by_window(qs, group, seconds).items():
        if key in rows:
            rows[key]["p50"], rows[key]["p90"] = values[0.5], values[0.9]
    return rows


def _percentile_aggregates(seconds: str) -> dict:
    if not uses_percentile_cont():
        return {}
    return {"p50": PercentileCont(seconds, 0.5), "p90": PercentileCont(seconds, 0.9)}


def first_responses(f: MetricFilters, by: str | None) -> dict:
    qs = ticket_base(f).filter(first_response_at__gte=f.start, first_response_at__lt=f.end)
    seconds = "sla__first_response_business_seconds"
    group, aggregates = _timed(qs, by, date_field="first_response_at", seconds=seconds,
                               due="sla__first_response_due_at",
                               breached="sla__first_response_breached")
    aggregates |= _percentile_aggregates(seconds)
    rows = grouped(qs, group, aggregates)
    return _add_percentiles(rows, qs, group, seconds, aggregates)


def resolutions(f: MetricFilters, by: str | None) -> dict:
    qs = ticket_base(f).filter(solved_at__gte=f.start, solved_at__lt=f.end)
    seconds = "sla__resolution_business_seconds"
    group, aggregates = _timed(qs, by, date_field="solved_at", seconds=seconds,
                               due="sla__resolution_due_at", breached="sla__resolution_breached")
    aggregates |= _percentile_aggregates(seconds) | {
        "solved": Count("pk"),
        "fcr": Count("pk", filter=Q(public_reply_count=1, reopen_count=0)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    }
    rows = grouped(qs, group, aggregates)
    return _add_percentiles(rows, qs, group, seconds, aggregates)


def volumes(f: MetricFilters, by: str | None) -> dict:
    """Created in the period, and (not per week or month) the backlog at the period's end."""
    if by in ("week", "month"):
        qs = ticket_base(f).filter(created_at__gte=f.start, created_at__lt=f.end)
        group = group_expression(by, fields=_TICKET_FIELDS, date_field="created_at")
        return grouped(qs, group, {"created": Count("pk")})
    qs = ticket_base(f).filter(created_at__lt=f.end)
    group = group_expression(by, fields=_TICKET_FIELDS, date_field="created_at")
    return grouped(qs, group, {
        "created": Count("pk", filter=Q(created_at__gte=f.start)),
        "backlog": Count("pk", filter=Q(status__in=Ticket.UNRESOLVED)),
    })


def filtered_follow_ups(f: MetricFilters):
    qs = FollowUp.objects.filter(created_at__gte=f.start, created_at__lt=f.end)
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
