"""Reads shared by views, the API and other apps.

Who may see what is decided in ``tickets.policy``; these names stay for callers.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from helpdesk.models import User

from . import policy
from .models import Team, Ticket


def team_ids_of(user: User) -> list[int]:
    return sorted(policy.team_ids(user))


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Tickets this staff user may see: managers and admins all, agents their
    teams' tickets plus any ticket assigned to them (``policy.visible_tickets``)."""
    return policy.visible_tickets(user)


def get_ticket_for_agent(user: User, pk: int) -> Ticket:
    """The ticket if this staff user may see it; 404 otherwise (no existence leak)."""
    try:
        return visible_tickets(user).select_related("customer", "team", "assignee").get(pk=pk)
    except Ticket.DoesNotExist:
        raise Http404("No such ticket") from None


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams this user works in: the teams they may move tickets to and create in."""
    return policy.allowed_teams(user)
