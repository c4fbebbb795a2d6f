"""What the agent pages offer to choose from, read once per version per process
(docs/performance.md, "The ticket page").

Every ticket page lists the teams a ticket may move to, the agents it may go to, the
canned responses and the macros; every queue page the same teams, agents and macros.
These rows change when an admin or a manager edits them, a few times a day, while
they were read in four queries on every page. Each process keeps one copy of them
until their shared version moves (helpdesk/versioned.py): saving or deleting a team,
a membership, a canned response, a macro, or a user's name, role or status moves it,
so the process that saved sees the change at once and every other web process within
``RECHECK_SECONDS``.

The functions here are the list twins of ``tickets.policy``'s querysets
(``allowed_teams``, ``assignable_agents``) and of ``canned_for``/``visible_macros``:
the same rule, applied in Python to the copy. A test checks that each twin returns
exactly what its queryset returns, for every role, on tickets of one's own team and
of another. Pages that go on filtering or changing rows keep the querysets.

The instances are shared by every request of the process: read them, never change them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.db.models import CharField, Q, StringAgg, Value
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save

from helpdesk import versioned
from helpdesk.models import User

from . import policy
from .models import CannedResponse, Macro, Team, TeamMembership, Ticket

RECHECK_SECONDS = 1.0
# A user's save that changes none of these leaves the directory as it was (signing in
# writes last_login, the availability switch writes availability).
_USER_FIELDS = frozenset({"name", "email", "role", "is_active"})
_TEAM_FIELDS_IGNORED = frozenset({"last_assigned"})  # a round-robin turn


@dataclass(frozen=True)
class _Directory:
    teams: list[Team]  # by name
    agents: list[User]  # staff who may be assigned, by name and email
    agent_teams: dict[int, frozenset[int]]  # agent id → the teams they are in
    canned: list[CannedResponse]  # by title, with their team
    macros: list[Macro]  # by name


def _read_members() -> dict[int, frozenset[int]]:
    """Each assignable staff user's teams (none for some): one query."""
    rows = (policy.assignable_staff().order_by()
            .annotate(team_list=StringAgg(Cast("memberships__team_id", CharField()), Value(","),
                                          default=Value("")))
            .values_list("pk", "team_list"))
    return {pk: frozenset(int(team) for team in teams.split(",") if team) for pk, teams in rows}


def _read() -> _Directory:
    """Five small queries per version."""
    agents = list(policy.assignable_staff())
    members = _read_members()
    return _Directory(
        teams=list(Team.objects.order_by("name", "pk")),
        agents=agents,
        agent_teams={a.pk: members.get(a.pk, frozenset()) for a in agents},
        canned=list(CannedResponse.objects.select_related("team").order_by("title", "pk")),
        macros=list(Macro.objects.order_by("name", "pk")),
    )


KEY = "tickets:directory"
_directory = versioned.Copy(KEY, _read, recheck_after=RECHECK_SECONDS)
# The memberships alone, under the same version: every request of an agent asks for their
# teams (``policy.team_ids``), most of them on pages that list nothing else from here.
_members = versioned.Copy(KEY, _read_members, recheck_after=RECHECK_SECONDS)


def teams_for(user: User) -> list[Team]:
    """``policy.allowed_teams(user)`` by name: the teams a ticket may move to."""
    if not policy.works_tickets(user):
        return []
    teams = _directory.get().teams
    if user.sees_all_tickets:
        return list(teams)
    own = policy.team_ids(user)
    return [team for team in teams if team.pk in own]


def agents_for(user: User, ticket: Ticket | None = None) -> list[User]:
    """``policy.assignable_agents(user, ticket)``: whom this user may give the ticket to."""
    if not policy.works_tickets(user):
        return []
    directory = _directory.get()
    if user.sees_all_tickets:
        return list(directory.agents)
    reachable = set(policy.team_ids(user))
    if ticket is not None and ticket.team_id:
        reachable.add(ticket.team_id)
    return [agent for agent in directory.agents if directory.agent_teams[agent.pk] & reachable]


def canned_for(user: User) -> list[CannedResponse]:
    """Shared canned responses and those of the user's teams (managers: all), by title."""
    canned = _directory.get().canned
    if user.sees_all_tickets:
        return list(canned)
    own = policy.team_ids(user)
    return [c for c in canned if c.team_id is None or c.team_id in own]


def canned_queryset(user: User):
    """The queryset twin of ``canned_for``, for pages that filter further."""
    canned = CannedResponse.objects.select_related("team")
    if user.sees_all_tickets:
        return canned
    return canned.filter(Q(team__isnull=True) | Q(team_id__in=sorted(policy.team_ids(user))))


def macros_for(user: User) -> list[Macro]:
    """Shared macros and the user's own (``services.macros.visible_macros``), by name."""
    return [m for m in _directory.get().macros if m.owner_id is None or m.owner_id == user.pk]


def member_teams(user_id: int | None) -> frozenset[int] | None:
    """The teams of a user who may be assigned tickets; None for anyone else (analysts,
    inactive users, customers), whose memberships the copy does not hold."""
    return _members.get().get(user_id) if user_id is not None else None


def forget(*args: object, update_fields: Iterable[str] | None = None, sender=None,
           **kwargs: object) -> None:
    """A signal receiver: the directory changed, every process reads it again. Saves that
    only write fields the directory does not hold leave it alone."""
    if update_fields is not None:
        ignored = _TEAM_FIELDS_IGNORED if sender is Team else None
        if sender is User and not (set(update_fields) & _USER_FIELDS):
            return
        if ignored is not None and set(update_fields) <= ignored:
            return
    _members.drop()  # the same version: forget() below moves it for both
    _directory.forget()


for _model in (Team, TeamMembership, CannedResponse, Macro, User):
    post_save.connect(forget, sender=_model, dispatch_uid=f"directory-save-{_model.__name__}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"directory-delete-{_model.__name__}")
setting_changed.connect(_directory.drop, dispatch_uid="directory-settings")
setting_changed.connect(_members.drop, dispatch_uid="directory-members-settings")
