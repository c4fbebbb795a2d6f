"""Automatic assignment: round robin or least busy, within each agent's capacity.

When a ticket enters a team whose mode is not manual without an assignee (it was
created there, moved there or unassigned), ``auto_assign`` picks an *available*
member under their capacity and assigns through ``apply_ticket_changes`` (actor
None, source "assignment"). A ticket that finds nobody waits unassigned in the team
queue; ``assign_waiting`` hands the waiting tickets out, oldest first, when an agent
becomes available, gets more capacity, or solves one of their tickets.

Concurrency: the team row is locked (SELECT … FOR UPDATE) while choosing, so two
tickets of one team are handed out one after the other, and the chosen agent's row
is locked too and their open tickets counted again inside that lock, because an
agent of two teams can receive from both at once. Locks are always taken team
first, then agent, so two assignments cannot deadlock.

Agents who go away or offline keep the tickets they have (their work in progress
and the customer's context stay with them); they only stop receiving new ones.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.prepared import Prepared

from ..models import Team, Ticket
from .changes import apply_ticket_changes
from .written import committed_team_assignment, forget_ticket

logger = logging.getLogger(__name__)

#: Statuses that count against an agent's capacity.
OPEN_STATUSES = (Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.PENDING,
                 Ticket.Status.ON_HOLD)
#: At most this many waiting tickets are handed out per team in one pass.
WAITING_BATCH = 500


def _open_count(agent_id: int) -> int:
    # Served by ticket_assignee_status_idx.
    return Ticket.objects.filter(assignee_id=agent_id, status__in=OPEN_STATUSES).count()


def _candidates(team: Team) -> Sequence[User]:
    """Available active members under capacity, in the order the team's mode prefers."""
    members = (
        User.objects.filter(memberships__team=team, is_active=True,
                            availability=User.Availability.AVAILABLE)
        .exclude(role="")
        .annotate(open_count=Count("assigned_tickets",
                                   filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
        .order_by("pk")
    )
    with_room = [m for m in members if m.capacity is None or m.open_count < m.capacity]
    return in_mode_order(team, with_room, load=lambda m: m.open_count)


def in_mode_order[T: User](team: Team, members: Sequence[T], *,
                           load: Callable[[T], int]) -> list[T]:
    """``members`` (ordered by pk) in the order the team's assignment mode prefers:
    least busy by ``load(member)``, or round robin after the last agent who got one,
    wrapping around. Live chat orders its candidates with it too, counting chats."""
    if team.assignment == Team.Assignment.LEAST_BUSY:
        return sorted(members, key=lambda m: (load(m), m.pk))
    after = [m for m in members if team.last_assigned_id and m.pk > team.last_assigned_id]
    return after + [m for m in members if m not in after]


def _lock_agent_with_room(candidates: Sequence[User]) -> User | None:
    """The first candidate still under capacity once their row is locked."""
    for candidate in candidates:
        agent = User.objects.select_for_update().get(pk=candidate.pk)
        if agent.availability != User.Availability.AVAILABLE or not agent.is_active:
            continue
        if agent.capacity is None or _open_count(agent.pk) < agent.capacity:
            return agent
    return None


# Every new ticket asks; its SQL is built once per process (helpdesk/prepared.py).
_team_of = Prepared(lambda pk: Ticket.objects.filter(pk=pk).values_list("team_id",
                                                                        "team__assignment"))


def auto_assign(*, ticket_id: int) -> User | None:
    """Assign the ticket if its team assigns automatically and it has no assignee.

    Returns the agent, or None when the ticket stays as it is (manual team, already
    assigned, not open, or nobody available under capacity: it waits).
    """
    # Most teams assign by hand: find that out without the team lock, and without a
    # transaction of its own (every new ticket asks, the email intake included).
    # The email intake's batch has read its tickets at commit (tickets.services.written).
    row = committed_team_assignment(ticket_id) or _team_of.first(ticket_id)
    if row is None or row[0] is None or row[1] == Team.Assignment.MANUAL:
        return None
    forget_ticket(ticket_id)  # it may change now: the batch's copy answers no more reads
    return _assign_in_team(ticket_id, row[0])


@transaction.atomic
def _assign_in_team(ticket_id: int, team_id: int) -> User | None:
    team = Team.objects.select_for_update().filter(pk=team_id).first()
    if team is None or team.assignment == Team.Assignment.MANUAL:
        return None
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if ticket.team_id != team.pk or ticket.assignee_id or ticket.status not in OPEN_STATUSES:
        return None
    agent = _lock_agent_with_room(_candidates(team))
    if agent is None:
        return None
    apply_ticket_changes(ticket=ticket, changes={"assignee": agent}, actor=None,
                         source="assignment")
    team.last_assigned = agent
    team.save(update_fields=["last_assigned"])
    return agent


def waiting_tickets(team_id: int) -> QuerySet[Ticket]:
    """Tickets of the team waiting for an agent, oldest first (ticket_team_status_idx)."""
    return (Ticket.objects.filter(team_id=team_id, assignee__isnull=True,
                                  status__in=OPEN_STATUSES, merged_into__isnull=True)
            .order_by("created_at", "pk"))


def assign_waiting(*, team_ids: Iterable[int]) -> int:
    """Hand out the waiting tickets of these teams, oldest first, until nobody has room.

    Each ticket is its own transaction (``auto_assign``), so a long queue never holds
    the team lock for long. Returns how many tickets were assigned.
    """
    assigned = 0
    teams = Team.objects.filter(pk__in=team_ids).exclude(assignment=Team.Assignment.MANUAL)
    for team_id in teams.values_list("pk", flat=True):
        for ticket_id in waiting_tickets(team_id).values_list("pk", flat=True)[:WAITING_BATCH]:
            if auto_assign(ticket_id=ticket_id) is None:
                break  # nobody has room; the rest keep waiting
            assigned += 1
    return assigned


@transaction.atomic
def set_availability(*, agent: User, availability: str | None = None,
                     capacity: int | None | object = ...) -> User:
    """Change an agent's availability and/or capacity; waiting tickets may then go to them.

    ``capacity=...`` (the default) leaves capacity as it is; None means unlimited.
    """
    fields = []
    if availability is not None:
        if availability not in User.Availability.values:
            raise ValidationError({"availability": _("Unknown availability.")}, code="invalid")
        agent.availability = availability
        fields.append("availability")
    if capacity is not ...:
        if capacity is not None and (not isinstance(capacity, int) or capacity < 0):
            raise ValidationError({"capacity": _("Give a whole number of tickets, or nothing "
                                                 "for no limit.")}, code="invalid")
        agent.capacity = capacity
        fields.append("capacity")
    if fields:
        agent.save(update_fields=fields)
    if agent.availability == User.Availability.AVAILABLE:
        agent_has_room(agent_id=agent.pk)
    return agent


def agent_has_room(*, agent_id: int) -> None:
    """After commit, hand out the waiting tickets of this agent's automatic teams."""
    team_ids = list(Team.objects.filter(memberships__user_id=agent_id)
                    .exclude(assignment=Team.Assignment.MANUAL).values_list("pk", flat=True))
    if team_ids:  # only manual teams: nothing waits for this agent
        _assign_after_commit(team_ids)


def _assign_after_commit(team_ids: list[int]) -> None:
    from ..tasks import assign_waiting_tickets  # tasks import the services

    transaction.on_commit(lambda: assign_waiting_tickets.delay(team_ids=team_ids))


@transaction.atomic
def set_assignment_mode(*, team: Team, mode: str) -> Team:
    """Switch a team between manual, round robin and least busy; switching to an
    automatic mode hands out the tickets already waiting in the team."""
    if mode not in Team.Assignment.values:
        raise ValidationError({"assignment": _("Unknown assignment mode.")}, code="invalid")
    if team.assignment != mode:
        team.assignment = mode
        team.save(update_fields=["assignment"])
    if mode != Team.Assignment.MANUAL:
        _assign_after_commit([team.pk])
    return team


def on_ticket_entered(*, ticket_id: int) -> None:
    """A ticket was created, moved or unassigned: try to assign it. Never raises, so an
    assignment problem cannot fail the change that caused it; it is logged instead."""
    try:
        auto_assign(ticket_id=ticket_id)
    except Exception:
        logger.exception("automatic assignment of ticket %s failed", ticket_id)
