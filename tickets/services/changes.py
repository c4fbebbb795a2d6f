"""One ticket change, one service: ``apply_ticket_changes`` (docs/routing.md).

The ticket page, the REST API, bulk actions, the portal, macros, rules and
automatic assignment all change a ticket's status, priority, team, assignee and
tags through this function, so they agree on the permission rule
(``tickets.policy``), the order of application, the audit trail and the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.permissions import is_staff_member

from .. import policy
from ..models import Customer, Team, Ticket
from ..signals import ticket_updated
from . import custom_fields
from . import tickets as field_services

#: The keys ``changes`` may hold. ``fields`` is ``{key: value}`` of custom fields.
FIELDS = ("status", "priority", "team", "assignee", "tags", "add_tags", "remove_tags", "fields")

#: The order fields are applied in. Team first: a move may unassign an agent outside
#: the new team, and the assignee is then checked against the new team. Status last:
#: solving notifies the customer and starts surveys, which should see the final
#: team, assignee, priority and tags.
ORDER = ("team", "assignee", "priority", "tags", "fields", "status")


@dataclass
class ChangeResult:
    """What ``apply_ticket_changes`` did: ``changes`` maps each field that really
    changed to ``[old, new]`` (ids for team/assignee, sorted names for tags)."""

    ticket: Ticket
    changes: dict[str, list] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def __contains__(self, name: str) -> bool:
        return name in self.changes


def _tag_names(values: object, name: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError({name: _("Give a list of tags.")}, code="invalid")
    values = list(values)
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError({name: _("Tags must be non-empty text.")}, code="invalid")
    return [v.strip().lower()[:50] for v in values]


def _wanted_tags(ticket: Ticket, changes: dict) -> list[str] | None:
    """The full tag list after the change, or None when tags are not touched."""
    if not any(k in changes for k in ("tags", "add_tags", "remove_tags")):
        return None
    if "tags" in changes:
        names = set(_tag_names(changes["tags"], "tags"))
    else:
        names = set(ticket.tags.values_list("name", flat=True))
    names |= set(_tag_names(changes.get("add_tags", []), "add_tags"))
    names -= set(_tag_names(changes.get("remove_tags", []), "remove_tags"))
    return sorted(names)


def _validate(ticket: Ticket, changes: dict, actor: User | None) -> dict:
    """Refuse the whole change set before anything is written; the custom field
    values cleaned (``custom_fields.clean_changes``)."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown}, code="unknown")
    policy.check(actor, policy.Action.VIEW, ticket)
    team = changes.get("team", policy.UNSET)
    if "team" in changes:
        if team is not None and not isinstance(team, Team):
            raise ValidationError({"team": _("Unknown team.")}, code="invalid")
        policy.check(actor, policy.Action.TEAM, ticket, team=team)
    if "assignee" in changes:
        assignee = changes["assignee"]
        if assignee is not None and not (is_staff_member(assignee)):
            raise ValidationError({"assignee": _("This user is not an active agent.")},
                                  code="inactive")
        policy.check(actor, policy.Action.ASSIGN, ticket, team=team, assignee=assignee)
    if "priority" in changes:
        policy.check(actor, policy.Action.PRIORITY, ticket)
        if changes["priority"] not in Ticket.Priority.values:
            raise ValidationError({"priority": _("Unknown priority.")}, code="invalid")
    if any(k in changes for k in ("tags", "add_tags", "remove_tags")):
        policy.check(actor, policy.Action.TAGS, ticket)
    # Custom fields: the ones of the ticket's team after a move in the same change.
    team_id = team.pk if isinstance(team, Team) else (None if "team" in changes else ...)
    cleaned = {}
    if "fields" in changes:
        policy.check(actor, policy.Action.FIELDS, ticket)
        cleaned = custom_fields.clean_changes(ticket, changes["fields"], team_id=team_id)
    if "status" in changes:
        policy.check(actor, policy.Action.STATUS, ticket)
        status = changes["status"]
        if status not in Ticket.Status.values:
            raise ValidationError({"status": _("Unknown status.")}, code="invalid")
        if status != ticket.status and not ticket.can_transition(status):
            ticket.transition(status, now=timezone.now())  # raises the model's message
        if status == Ticket.Status.SOLVED and ticket.status != status:
            custom_fields.check_required_on_solve(ticket, cleaned, team_id=team_id)
    return cleaned


def _validate_customer(ticket: Ticket, changes: dict, actor: User | None,
                       customer: Customer) -> None:
    """A customer may do one thing to a ticket: mark their own request solved."""
    if actor is not None or ticket.customer_id != customer.pk:
        raise PermissionDenied(_("You may not change this request."))
    if set(changes) != {"status"} or changes["status"] != Ticket.Status.SOLVED:
        raise ValidationError({"status": _("A customer can only mark a request solved.")},
                              code="invalid")


@transaction.atomic
def apply_ticket_changes(*, ticket: Ticket, changes: dict, actor: User | None, source: str,
                         now: datetime | None = None, depth: int = 0,
                         actor_customer: Customer | None = None) -> ChangeResult:
    """Apply a change set to a ticket: all of it or nothing.

    ``changes`` may hold ``status``, ``priority``, ``team`` (Team or None),
    ``assignee`` (User or None), ``tags`` (the full list), ``add_tags`` and
    ``remove_tags``. ``actor`` is the staff user (checked against
    ``tickets.policy``) or None for the system; ``source`` says which door the
    change came through ("web", "api", "bulk", "portal", "rule", "assignment", …);
    ``depth`` is passed on to ``ticket_updated`` so rules can bound re-triggering.
    ``actor_customer`` is the customer acting from the portal (``actor`` None): they
    may only mark their own ticket solved, and the event names them.

    Fields apply in ``ORDER``, each through its field service, which writes the
    TicketEvent and announces the per-field signals as before. After commit,
    ``ticket_updated`` announces everything that changed, once. Unchanged values
    are no-ops; an empty result sends no signal.
    """
    now = now or timezone.now()
    # Lock the row and read it fresh: a concurrent change must not be overwritten.
    ticket.refresh_from_db(from_queryset=Ticket.objects.select_for_update())
    if actor_customer is not None:
        _validate_customer(ticket, changes, actor, actor_customer)
    cleaned_fields = _validate(ticket, changes, actor)
    field_changes: dict[str, list] = {}
    before = {"team": ticket.team_id, "assignee": ticket.assignee_id,
              "priority": ticket.priority, "status": ticket.status}
    old_tags = sorted(ticket.tags.values_list("name", flat=True))
    wanted_tags = _wanted_tags(ticket, changes)
    for name in ORDER:
        if name == "team" and "team" in changes:
            field_services.change_team(ticket=ticket, team=changes["team"], actor=actor)
        elif name == "assignee" and "assignee" in changes:
            field_services.assign_ticket(ticket=ticket, assignee=changes["assignee"], actor=actor)
        elif name == "priority" and "priority" in changes:
            field_services.change_priority(ticket=ticket, priority=changes["priority"],
                                           actor=actor)
        elif name == "tags" and wanted_tags is not None and wanted_tags != old_tags:
            field_services.set_tags(ticket=ticket, tags=wanted_tags, actor=actor)
        elif name == "fields" and cleaned_fields:
            field_changes = custom_fields.write_values(ticket=ticket, cleaned=cleaned_fields,
                                                       actor=actor, now=now)
        elif name == "status" and "status" in changes:
            field_services.change_status(ticket=ticket, status=changes["status"], actor=actor,
                                         now=now, actor_customer=actor_customer)
    after = {"team": ticket.team_id, "assignee": ticket.assignee_id,
             "priority": ticket.priority, "status": ticket.status}
    result = ChangeResult(ticket=ticket, changes={
        name: [before[name], after[name]] for name in ORDER if name in before
        and before[name] != after[name]
    })
    if wanted_tags is not None and wanted_tags != old_tags:
        result.changes["tags"] = [old_tags, wanted_tags]
    result.changes.update(field_changes)
    if result.changed:
        payload = {"ticket_id": ticket.pk, "changes": dict(result.changes),
                   "actor_id": getattr(actor, "pk", None), "source": source, "depth": depth}
        transaction.on_commit(lambda: ticket_updated.send(sender=Ticket, **payload))
    return result
