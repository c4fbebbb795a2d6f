"""Reads shared by views, the API and other apps.

Who may see what is decided in ``tickets.policy``; these names stay for callers.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import OuterRef, QuerySet, StringAgg, Subquery, Value
from django.http import Http404

from helpdesk.api import parse_id
from helpdesk.models import User
from helpdesk.prepared import Prepared

from . import policy
from .models import Team, Ticket, TicketEvent


def team_ids_of(user: User) -> list[int]:
    return sorted(policy.team_ids(user))


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Tickets this staff user may see: managers and admins all, agents their
    teams' tickets plus any ticket assigned to them (``policy.visible_tickets``)."""
    return policy.visible_tickets(user)


def _ticket_by_id(with_sla: bool, with_latest_event: bool) -> Prepared[Ticket]:
    related = ["customer", "team", "assignee", *(["sla"] if with_sla else [])]

    def build(pk: int) -> QuerySet[Ticket]:
        tickets = Ticket.objects.select_related(*related)
        if with_latest_event:
            newest = TicketEvent.objects.filter(ticket=OuterRef("pk")).order_by("-pk")
            # The page's tags too: names are slugs, so a comma never occurs in one. In
            # name order where the database can order an aggregate; else the reader sorts
            # them (an SQLite without it compares text by code point, as Python does).
            ordered = connection.features.supports_aggregate_order_by_clause
            names = (Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"))
                     .values("ticket_id")
                     .annotate(names=StringAgg("tag__name", Value(","),
                                               order_by="tag__name" if ordered else None))
                     .values("names"))  # type: ignore[misc]  # stubs miss the annotation
            tickets = tickets.annotate(latest_event_id=Subquery(newest.values("pk")[:1]),
                                       tag_list=Subquery(names))
        return tickets.filter(pk=pk)
    return Prepared(build)


# Every agent page of a ticket reads it by id; its SQL is built once per process.
_TICKET_BY_ID = {(sla, event): _ticket_by_id(sla, event)
                 for sla in (False, True) for event in (False, True)}


def get_ticket_for_agent(user: User, pk: int, *, with_sla: bool = False,
                         with_latest_event: bool = False) -> Ticket:
    """The ticket if this staff user may see it; 404 otherwise (no existence leak).

    Read by id (its SQL built once per process, helpdesk/prepared.py) and then asked
    of ``policy.can(VIEW)``, the per-ticket twin of ``visible_tickets``.

    ``with_sla`` joins the SLA clocks too, for a page that only reads them (the ticket
    page): one query fewer. Actions leave it out, so that the page they render after
    changing the clocks reads them afresh. ``with_latest_event`` reads the id of the
    ticket's newest event in the same query (``latest_event_id``): the ticket page's
    version, without loading the history (tickets/views/freshness.py), and its tags'
    names (``tag_list``, comma-separated), for a page that only shows them."""
    ticket_id = parse_id(pk)
    ticket = None if ticket_id is None else _TICKET_BY_ID[with_sla, with_latest_event].first(
        ticket_id)
    if ticket is None or not policy.can(user, policy.Action.VIEW, ticket):
        raise Http404("No such ticket")
    return ticket


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams this user works in: the teams they may move tickets to and create in."""
    return policy.allowed_teams(user)
