"""The one rule deciding what a staff user may do to a ticket (docs/routing.md).

Every caller asks here: the ticket page, the queue, bulk actions, the REST API,
``apply_ticket_changes`` and whatever comes later (macros, rules). The querysets
(``visible_tickets``, ``allowed_teams``, ``assignable_agents``) and the per-ticket
answers (``can``/``check``) state the same rule twice, once in SQL and once in
Python, side by side so they cannot drift apart:

- managers and admins may do everything;
- an agent sees the tickets of their teams and the tickets assigned to them, and
  may reply, add notes, change status, priority and tags on those;
- an agent moves tickets only into one of their own teams (never to "no team":
  the ticket would vanish from their queues) and creates tickets only there;
- an agent assigns only to agents of the ticket's team (after the move, when the
  same change moves it) or of one of their own teams, and may always unassign;
- analysts (a read-only role for dashboards and exports, docs/roles.md) may do none of
  this either: they see figures, never a ticket, its messages or its customer;
- customers and anonymous callers may do none of this (the portal is theirs).

``actor=None`` means the system (intake, rules, automations, assignment): the rule
does not limit it, only the values are validated by the change service.

Refusals: an action on a ticket the user may not touch raises ``PermissionDenied``
(views and API already answer 404 for tickets the user cannot see, so this is the
backstop); a value the user may not choose (a team, an assignee) raises a
``ValidationError`` naming the field, which the API answers with 400 and the
ticket page shows beside the field.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.permissions import is_staff_member

from .models import Team, TeamMembership, Ticket


class Action(StrEnum):
    VIEW = "view"
    REPLY = "reply"
    NOTE = "note"
    STATUS = "status"
    PRIORITY = "priority"
    TAGS = "tags"
    TEAM = "team"  # move the ticket to another team (``team=``)
    ASSIGN = "assign"  # give it to an agent or nobody (``assignee=``)
    CREATE = "create"  # open a ticket in a team (``team=``), no ticket yet
    MERGE = "merge"
    BULK = "bulk"  # use bulk actions at all; each ticket is then checked on its own
    # tk-fields: custom field values, time entries, links to other tickets.
    FIELDS = "fields"
    LOG_TIME = "log_time"
    LINK = "link"  # link to another ticket: the user must see both (asked for each)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: "Not given" for ``team``/``assignee``, since ``None`` means "no team"/"nobody".
UNSET = _Unset()

# Actions that only need the ticket to be one the user works on.
_ON_VISIBLE = {Action.VIEW, Action.REPLY, Action.NOTE, Action.STATUS, Action.PRIORITY,
               Action.TAGS, Action.MERGE, Action.FIELDS, Action.LOG_TIME, Action.LINK}


# -- facts, cached on the user object so a bulk action asks the database once ----------

def team_ids(user) -> frozenset[int]:
    """The teams this user belongs to (cached on the instance for the request).

    For staff who work tickets, from the process's copy of the memberships
    (tickets/directory.py): a membership saved or deleted in this process counts at once,
    in another within a second. Anyone else's are read from the database."""
    cached = getattr(user, "_policy_team_ids", None)
    if cached is None:
        from .directory import member_teams  # the copy is built from this module's rule

        cached = member_teams(user.pk)
        if cached is None:
            cached = frozenset(
                TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))
        user._policy_team_ids = cached
    return cached


def sees_all(user) -> bool:
    return is_staff_member(user) and user.sees_all_tickets


def works_tickets(user) -> bool:
    """Agents, managers and admins: staff who may see tickets at all (not analysts)."""
    return is_staff_member(user) and not getattr(user, "is_analyst", False)


# -- the rule as querysets (lists, choices) ---------------------------------------------

def visible_tickets(user) -> QuerySet[Ticket]:
    """Tickets this staff user may see and work on (the SQL twin of ``can(VIEW)``)."""
    tickets = Ticket.objects.all()
    if not works_tickets(user):
        return tickets.none()
    if user.sees_all_tickets:
        return tickets
    return tickets.filter(Q(team_id__in=team_ids(user)) | Q(assignee=user))


def allowed_teams(user) -> QuerySet[Team]:
    """Teams this user may move tickets into and create tickets in."""
    if not works_tickets(user):
        return Team.objects.none()
    if user.sees_all_tickets:
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids(user))


def assignable_staff() -> QuerySet[User]:
    """Everyone a ticket may be assigned to at all: active staff who work tickets."""
    return (User.objects.filter(is_active=True).exclude(role__in=["", User.Role.ANALYST])
            .only("pk", "name", "email", "role").order_by("name", "email"))


def assignable_agents(user, ticket: Ticket | None = None) -> QuerySet[User]:
    """Active staff this user may assign ``ticket`` to (any of their tickets when None)."""
    agents = assignable_staff()
    if not works_tickets(user):
        return agents.none()
    if user.sees_all_tickets:
        return agents
    teams = set(team_ids(user))
    if ticket is not None and ticket.team_id:
        teams.add(ticket.team_id)
    return agents.filter(pk__in=TeamMembership.objects.filter(team_id__in=teams)
                         .values("user_id"))


# -- the rule per ticket ----------------------------------------------------------------

def _sees(user, ticket: Ticket) -> bool:
    return (user.sees_all_tickets or ticket.team_id in team_ids(user)
            or (ticket.assignee_id is not None and ticket.assignee_id == user.pk))


def _team_allowed(user, team) -> bool:
    if user.sees_all_tickets:
        return True
    return team is not None and team.pk in team_ids(user)


def _assignee_allowed(user, ticket: Ticket | None, assignee, team) -> bool:
    if assignee is None:
        return True  # anyone who works on the ticket may unassign it
    if not works_tickets(assignee):
        return False
    if user.sees_all_tickets:
        return True
    if team is UNSET:
        team_id = ticket.team_id if ticket is not None else None
    else:
        team_id = team.pk if team is not None else None
    reachable = set(team_ids(user)) | ({team_id} if team_id else set())
    return bool(reachable & team_ids(assignee))


def _refusal(user, action: Action, ticket, team, assignee) -> Exception | None:
    """Why ``user`` may not do ``action``, as the exception to raise; None when allowed."""
    if user is None:
        return None  # the system: rules, intake, automations, assignment
    if not is_staff_member(user):
        return PermissionDenied(_("Only support staff may do this."))
    if user.is_analyst:
        return PermissionDenied(_("Analysts see figures, not tickets."))
    if action == Action.BULK:
        return None
    if action == Action.CREATE:
        if not _team_allowed(user, None if team is UNSET else team):
            return ValidationError({"team": _("Choose one of your teams.")}, code="forbidden")
        return None
    if ticket is None:
        raise TypeError(f"policy action {action!s} needs a ticket")
    if not _sees(user, ticket):
        return PermissionDenied(_("This ticket belongs to a team you are not in."))
    if action in _ON_VISIBLE:
        return None
    if action == Action.TEAM:
        if team is not UNSET and not _team_allowed(user, team):
            return ValidationError({"team": _("Choose one of your teams.")}, code="forbidden")
        return None
    if action == Action.ASSIGN:
        if assignee is not UNSET and not _assignee_allowed(user, ticket, assignee, team):
            return ValidationError(
                {"assignee": _("Choose an agent of the ticket’s team or of your teams.")},
                code="forbidden")
        return None
    raise ValueError(f"unknown policy action {action!r}")


def can(user, action: str, ticket: Ticket | None = None, *, team=UNSET, assignee=UNSET) -> bool:
    """May ``user`` (None = the system) do ``action`` to ``ticket``?

    ``team`` is the team a ticket moves to (TEAM) or is created in (CREATE);
    ``assignee`` the agent it goes to (ASSIGN; with ``team`` when the same change
    moves the ticket). Leave them out to ask about the action in general.
    """
    return _refusal(user, Action(action), ticket, team, assignee) is None


def check(user, action: str, ticket: Ticket | None = None, *, team=UNSET,
          assignee=UNSET) -> None:
    """Like ``can``, but raise ``PermissionDenied`` (action) or ``ValidationError``
    naming the field (``team``/``assignee``) when refused."""
    refusal = _refusal(user, Action(action), ticket, team, assignee)
    if refusal is not None:
        raise refusal


# -- customers and organizations (docs/customers.md) -------------------------------------

def can_view_people(user) -> bool:
    """Every staff member sees customer and organization pages (who wrote in is needed to
    help them); what they see of tickets and scores there stays under the ticket rule."""
    return is_staff_member(user)


def can_edit_people(user) -> bool:
    """Contact details, organization facts (tier, revenue, churn) are managers' to change;
    any staff member may add a note."""
    return sees_all(user)
