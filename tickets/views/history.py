"""The event history (TicketEvent rows) in readable words.

Events store related objects by id ("3"); the history shows their names
(`SLA policy changed from “Standard” to “Priority”`). The names of every event on
the page are read in bulk, one query per kind of object mentioned, never one per
event; choices (status, priority, channel) show their translated labels.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Channel, Customer, Organization, SLAPolicy, Team, Ticket, TicketEvent

_CHOICES = {
    "status": dict(Ticket.Status.choices),
    "priority": dict(Ticket.Priority.choices),
    "channel": dict(Channel.choices),
    "created": dict(Channel.choices),  # a "created" event's value is its channel
}

#: Event fields that name another row by id (beside the ticket's own foreign keys),
#: with the word the history uses for them.
_RELATED = {
    "sla_policy": (SLAPolicy, gettext_lazy("SLA policy")),
    "organization": (Organization, gettext_lazy("Organization")),
}

#: Event fields that name another ticket: shown as its reference, no query needed.
_TICKET_FIELDS = {"merged_into", "merged_from", "follows_up"}


def _related_model(field: str) -> type[models.Model] | None:
    if field in _RELATED:
        return _RELATED[field][0]
    try:
        model_field = Ticket._meta.get_field(field)
    except Exception:  # FieldDoesNotExist: an event of another kind
        return None
    if model_field.many_to_one and field not in _TICKET_FIELDS:
        return model_field.related_model
    return None


def _label(obj: models.Model) -> str:
    if isinstance(obj, Customer):
        return obj.display_name
    if isinstance(obj, (Team, SLAPolicy, Organization)):
        return obj.name
    return str(obj)


def _names(events: list[TicketEvent]) -> dict[tuple[str, str], str]:
    """(event field, id) → name for every id the events mention: a query per kind."""
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    fields_of: dict[type[models.Model], set[str]] = defaultdict(set)
    for event in events:
        model = _related_model(event.field)
        if model is None:
            continue
        fields_of[model].add(event.field)
        wanted[model] |= {int(v) for v in (event.old_value, event.new_value) if v.isdigit()}
    names = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            for name in fields_of[model]:
                names[(name, str(obj.pk))] = _label(obj)
    return names


def _value(event: TicketEvent, raw: str, names: dict) -> str:
    if not raw:
        return _("nobody") if event.field == "assignee" else _("none")
    if (event.field, raw) in names:
        return names[(event.field, raw)]
    if _related_model(event.field) is not None:  # deleted since
        return _("deleted (#%(id)s)") % {"id": raw}
    return str(_CHOICES.get(event.field, {}).get(raw, raw))


def _ref(raw: str) -> str:
    return Ticket(pk=int(raw)).reference if raw.isdigit() else raw


def _field_label(field: str) -> str:
    if field in _RELATED:
        return str(_RELATED[field][1])
    try:
        return capfirst(Ticket._meta.get_field(field).verbose_name)
    except Exception:  # FieldDoesNotExist: a field the ticket does not have
        return field


def describe(event: TicketEvent, names: dict) -> str:
    old = _value(event, event.old_value, names)
    new = _value(event, event.new_value, names)
    field = event.field
    if field == "created":
        return _("Created via %(channel)s") % {"channel": new}
    if field == "reply":
        return _("Replied to the customer")
    if field == "note":
        return _("Added an internal note")
    if field == "status":
        return _("Changed the status from %(old)s to %(new)s") % {"old": old, "new": new}
    if field == "priority":
        return _("Changed the priority from %(old)s to %(new)s") % {"old": old, "new": new}
    if field == "assignee":
        return _("Assigned to %(new)s (was %(old)s)") % {"old": old, "new": new}
    if field == "team":
        return _("Moved to team %(new)s (was %(old)s)") % {"old": old, "new": new}
    if field == "tags":
        return _("Set the tags to %(new)s") % {"new": event.new_value or _("none")}
    if field == "merged_into":
        return _("Merged into %(ref)s") % {"ref": _ref(event.new_value)}
    if field == "merged_from":
        return _("%(ref)s was merged into this ticket") % {"ref": _ref(event.new_value)}
    if field == "follows_up":
        return _("Follows up %(ref)s") % {"ref": _ref(event.new_value)}
    # Written by the rules app (docs/rules.md): a trigger or automation fired, one of
    # its actions failed, or the re-triggering bound stopped it.
    if field == "rule":
        return _("Rule “%(rule)s” ran (%(event)s)") % {"rule": event.new_value,
                                                      "event": event.old_value}
    if field == "rule_failed":
        return _("Rule “%(rule)s” could not act: %(detail)s") % {"rule": event.old_value,
                                                                "detail": event.new_value}
    if field == "rule_stopped":
        return _("Rule “%(rule)s” was stopped: rules re-triggered each other too many times "
                 "on this ticket") % {"rule": event.new_value}
    return _("%(field)s changed from “%(old)s” to “%(new)s”") % {
        "field": _field_label(field), "old": old, "new": new}


def describe_events(events: list[TicketEvent]) -> list[tuple[TicketEvent, str]]:
    names = _names(events)
    return [(event, describe(event, names)) for event in events]


def readable_history(ticket: Ticket) -> list[tuple[TicketEvent, str]]:
    return describe_events(list(ticket.events.select_related("actor", "actor_customer")))
