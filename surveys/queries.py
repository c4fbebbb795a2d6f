"""Reads shared by the views, the API, the panel and the export."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from helpdesk.models import User
from tickets.queries import team_ids_of

from .models import FollowUp, Kind, Response, SurveyProgram


def visible_responses(user: User) -> QuerySet[Response]:
    """Managers, admins and analysts see every response; agents their teams' and their own."""
    responses = Response.objects.all()
    if user.sees_all_figures:
        return responses
    return responses.filter(Q(team_id__in=team_ids_of(user)) | Q(agent=user))


def visible_follow_ups(user: User) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.all()
    if user.sees_all_tickets:
        return follow_ups
    return follow_ups.filter(Q(team_id__in=team_ids_of(user)) | Q(assignee=user))


def customer_responses(customer_id: int, *, user: User, limit: int = 10) -> list[Response]:
    """The customer's latest answers for the ticket side panel (response_customer_idx),
    limited by the responses API's rule (``visible_responses``): an agent never reads
    another team's scores and comments beside one of their own tickets."""
    return list(visible_responses(user).filter(customer_id=customer_id)
                .select_related("ticket").order_by("-created_at")[:limit])


def unreachable_programs(programs: Iterable[SurveyProgram]) -> dict[int, list]:
    """{program id: the earlier programs that take every ticket it matches}, for each
    active program that can never send a survey (``matching_program`` picks the first
    active program in order that matches, so a later one behind a catch-all is dead).

    Exhaustive over the kinds of ticket a program can tell apart: each channel, each
    tier (and no organization) and each team a program names plus one "any other team".
    ``programs`` in order, with ``teams`` prefetched; no query of its own.
    """
    from itertools import product

    from tickets.models import Channel, Organization

    # Relationship programs send waves, not ticket surveys: they never take a ticket.
    active = [p for p in programs if p.active and p.kind == Kind.TRANSACTIONAL]
    named_teams = sorted({t.pk for p in active for t in p.teams.all()})
    teams = [*named_teams, None]  # None: a team no program names, or no team
    tiers = [*Organization.Tier.values, ""]
    dead: dict[int, list] = {}
    for index, program in enumerate(active):
        earlier = active[:index]
        takers: dict[int, object] = {}
        reachable = False
        for channel, tier, team in product(Channel.values, tiers, teams):
            if not program.matches(channel=channel, tier=tier, team_id=team):
                continue
            taker = next((p for p in earlier if p.matches(channel=channel, tier=tier,
                                                          team_id=team)), None)
            if taker is None:
                reachable = True
                break
            takers[taker.pk] = taker
        if not reachable:
            dead[program.pk] = sorted(takers.values(), key=lambda p: (p.position, p.pk))
    return dead
