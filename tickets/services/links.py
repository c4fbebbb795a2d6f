"""Linked tickets: related tickets, and problems with their incidents (docs/time-tracking.md,
"Linked tickets").

A link joins two tickets the agent may both see (``tickets.policy``, asked for each).
"related" is symmetric; "incident" makes ``source`` an incident of the problem
``target``. Solving a problem can solve its open incidents with one reply, sent to
each incident's customer through ``reply_to_ticket`` (the normal reply path: outbox,
events, required custom fields, rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helpdesk.models import User

from .. import policy
from ..models import Ticket, TicketLink
from .events import record_event
from .tickets import reply_to_ticket

#: What the agent says about the other ticket → (kind, is this ticket the source?).
RELATIONS = {
    "related": (TicketLink.Kind.RELATED, True),
    "incident_of": (TicketLink.Kind.INCIDENT, True),  # this ticket is an incident of other
    "problem_of": (TicketLink.Kind.INCIDENT, False),  # this ticket is the problem of other
}


def find_visible_ticket(user: User, text: object, *, field: str = "ticket") -> Ticket:
    """The ticket named by "HD-123" or an id, if ``user`` may see it; the same error
    whether it does not exist or is not theirs (nothing leaks)."""
    raw = str(text or "").strip()
    ticket_id = Ticket.parse_reference(raw) or (int(raw) if raw.isdigit() else None)
    found = (policy.visible_tickets(user).filter(pk=ticket_id).first()
             if ticket_id and ticket_id < 2**63 else None)
    if found is None:
        raise ValidationError({field: _("No ticket “%(ref)s” that you can see.")
                               % {"ref": raw or "—"}}, code="not_found")
    return found


def _between(a: Ticket, b: Ticket) -> QuerySet[TicketLink]:
    return TicketLink.objects.filter(Q(source=a, target=b) | Q(source=b, target=a))


@transaction.atomic
def link_tickets(*, ticket: Ticket, other: Ticket, relation: str, actor: User) -> TicketLink:
    if relation not in RELATIONS:
        raise ValidationError({"relation": _("Choose related, incident_of or problem_of.")},
                              code="invalid")
    try:
        policy.check(actor, policy.Action.LINK, ticket)
        policy.check(actor, policy.Action.LINK, other)
    except PermissionDenied:
        raise ValidationError({"ticket": _("No ticket “%(ref)s” that you can see.")
                               % {"ref": other.reference}}, code="not_found") from None
    if other.pk == ticket.pk:
        raise ValidationError({"ticket": _("A ticket cannot be linked to itself.")})
    if _between(ticket, other).exists():
        raise ValidationError({"ticket": _("These tickets are already linked.")})
    kind, forward = RELATIONS[relation]
    source, target = (ticket, other) if forward else (other, ticket)
    if kind == TicketLink.Kind.INCIDENT:
        if TicketLink.objects.filter(source=source, kind=kind).exists():
            raise ValidationError({"ticket": _("%(ref)s is already an incident of another "
                                               "problem.") % {"ref": source.reference}})
        if TicketLink.objects.filter(source=target, kind=kind).exists():
            raise ValidationError({"ticket": _("%(ref)s is itself an incident, so it cannot "
                                               "be a problem.") % {"ref": target.reference}})
    link = TicketLink.objects.create(source=source, target=target, kind=kind, created_by=actor)
    record_event(ticket=source, field=f"link_{kind}", new=target.pk, actor=actor)
    record_event(ticket=target, field=f"link_{kind}", new=source.pk, actor=actor)
    return link


@transaction.atomic
def unlink_tickets(*, link: TicketLink, actor: User) -> None:
    policy.check(actor, policy.Action.LINK, link.source)
    policy.check(actor, policy.Action.LINK, link.target)
    record_event(ticket=link.source, field=f"link_{link.kind}", old=link.target_id, actor=actor)
    record_event(ticket=link.target, field=f"link_{link.kind}", old=link.source_id, actor=actor)
    link.delete()


def open_incidents(problem: Ticket, user: User) -> QuerySet[Ticket]:
    """The problem's unresolved incidents this user may see."""
    return (policy.visible_tickets(user)
            .filter(links_out__target=problem, links_out__kind=TicketLink.Kind.INCIDENT,
                    status__in=Ticket.UNRESOLVED)
            .select_related("customer").order_by("pk"))


@dataclass
class SolvedIncidents:
    solved: list[Ticket] = field(default_factory=list)
    failed: list[tuple[Ticket, str]] = field(default_factory=list)


def solve_incidents(*, problem: Ticket, actor: User, body: str) -> SolvedIncidents:
    """Reply ``body`` to each open incident's customer and solve it. Each incident is
    its own transaction: one refused (say, a required field is empty) is reported and
    leaves the others solved."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write the message the customers will get.")},
                              code="blank")
    policy.check(actor, policy.Action.STATUS, problem)
    result = SolvedIncidents()
    for incident in open_incidents(problem, actor):
        try:
            with transaction.atomic():
                reply_to_ticket(ticket=incident, agent=actor, body=body,
                                new_status=Ticket.Status.SOLVED)
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            result.failed.append((incident, " ".join(messages)))
        else:
            result.solved.append(incident)
    return result
