"""The queues of the ticket list: which tickets each shows, filters and sort orders.

Each queue is a Q over the tickets the agent may see, so the counts beside every
queue come from one aggregate query (Count with filter=...).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Ticket

S = Ticket.Status
RECENT_DAYS = 7
SLA_RISK_WINDOW = timedelta(hours=1)


def _recently_solved(now) -> Q:
    return Q(status__in=[S.SOLVED, S.CLOSED], solved_at__gte=now - timedelta(days=RECENT_DAYS))


def _sla_at_risk(now) -> Q:
    soon = now + SLA_RISK_WINDOW
    return Q(status__in=Ticket.UNRESOLVED) & (
        Q(sla__first_response_breached=True)
        | Q(sla__resolution_breached=True)
        | Q(first_response_at__isnull=True, sla__first_response_due_at__lte=soon)
        | Q(sla__next_response_due_at__lte=soon)
        | Q(sla__resolution_due_at__lte=soon)
    )


def queue_conditions(user, now) -> dict[str, Q]:
    """Queue key → condition, in the order shown in the sidebar."""
    unresolved = Q(status__in=Ticket.UNRESOLVED)
    return {
        "mine": unresolved & Q(assignee=user),
        "unassigned": unresolved & Q(assignee__isnull=True),
        "open": unresolved,
        "pending": Q(status=S.PENDING),
        "solved": _recently_solved(now),
        "sla": _sla_at_risk(now),
    }


QUEUE_LABELS = {
    "mine": _("My open tickets"),
    "unassigned": _("Unassigned"),
    "open": _("All open"),
    "pending": _("Pending"),
    "solved": _("Recently solved"),
    "sla": _("SLA at risk or breached"),
    "all": _("All tickets"),
}


def queue_counts(tickets: QuerySet[Ticket], conditions: dict[str, Q], now) -> dict[str, int]:
    """Every queue's count in one query. The outer filter keeps PostgreSQL on the
    status and solved_at indexes instead of scanning every closed ticket."""
    scope = Q(status__in=Ticket.UNRESOLVED) | _recently_solved(now)
    aggregates = {key: Count("pk", filter=cond) for key, cond in conditions.items()}
    return tickets.filter(scope).aggregate(**aggregates)


_PRIORITY_RANK = Case(
    When(priority=Ticket.Priority.URGENT, then=Value(0)),
    When(priority=Ticket.Priority.HIGH, then=Value(1)),
    When(priority=Ticket.Priority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)

# Sort key → order_by arguments; "-" in the query string reverses.
SORTS = {
    "reference": ("pk",),
    "subject": ("subject", "pk"),
    "status": ("status", "pk"),
    "priority": ("priority_rank", "pk"),
    "updated": ("updated_at", "pk"),
    "created": ("created_at", "pk"),
    "waiting": ("waiting_since", "pk"),
    "sla": ("sla__resolution_due_at", "pk"),
}
DEFAULT_SORT = "-updated"


def apply_sort(tickets: QuerySet[Ticket], sort: str) -> tuple[QuerySet[Ticket], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    descending = sort.startswith("-")
    if key == "priority":
        tickets = tickets.annotate(priority_rank=_PRIORITY_RANK)
    fields = [f"-{f}" if descending else f for f in SORTS[key]]
    return tickets.order_by(*fields), sort


FILTER_FIELDS = ("status", "priority", "channel", "team", "assignee", "tag")


def apply_filters(tickets: QuerySet[Ticket], params, user) -> QuerySet[Ticket]:
    """The filters of the list and of saved filters (same query-string names as the API)."""
    if params.get("status") in S.values:
        tickets = tickets.filter(status=params["status"])
    if params.get("priority") in Ticket.Priority.values:
        tickets = tickets.filter(priority=params["priority"])
    if params.get("channel"):
        tickets = tickets.filter(channel=params["channel"])
    if params.get("team", "").isdigit():
        tickets = tickets.filter(team_id=int(params["team"]))
    assignee = params.get("assignee", "")
    if assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(assignee))
    if params.get("tag"):
        tickets = tickets.filter(tags__name=params["tag"].strip().lower())
    return tickets


def now():
    return timezone.now()
