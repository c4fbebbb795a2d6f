"""Reads shared by views, the API and other apps."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Team, TeamMembership, Ticket


def team_ids_of(user) -> list[int]:
    return list(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))


def visible_tickets(user) -> QuerySet[Ticket]:
    """Tickets this staff user may see: managers and admins all, agents their
    teams' tickets plus any ticket assigned to them."""
    tickets = Ticket.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return tickets.none()
    if user.sees_all_tickets:
        return tickets
    from django.db.models import Q

    return tickets.filter(Q(team_id__in=team_ids_of(user)) | Q(assignee=user))


def get_ticket_for_agent(user, pk: int) -> Ticket:
    """The ticket if this staff user may see it; 404 otherwise (no existence leak)."""
    try:
        return visible_tickets(user).select_related("customer", "team", "assignee").get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket") from None


def visible_teams(user) -> QuerySet[Team]:
    if user.sees_all_tickets:
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user)
