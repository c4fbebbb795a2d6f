"""The event history (TicketEvent rows) in readable words."""

from __future__ import annotations

from django.utils.translation import gettext as _

from helpdesk.models import User

from ..models import Channel, Team, Ticket, TicketEvent

_CHOICES = {
    "status": dict(Ticket.Status.choices),
    "priority": dict(Ticket.Priority.choices),
}


def _names(events: list[TicketEvent]) -> tuple[dict[str, str], dict[str, str]]:
    """Names of the users and teams the events mention by id: two queries at most."""
    user_ids = {v for e in events if e.field == "assignee" for v in (e.old_value, e.new_value) if v.isdigit()}
    team_ids = {v for e in events if e.field == "team" for v in (e.old_value, e.new_value) if v.isdigit()}
    users = {str(u.pk): str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    teams = {str(t.pk): t.name for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    return users, teams


def _value(event: TicketEvent, raw: str, users: dict, teams: dict) -> str:
    if not raw:
        return _("nobody") if event.field == "assignee" else _("none")
    if event.field == "assignee":
        return users.get(raw, raw)
    if event.field == "team":
        return teams.get(raw, raw)
    return str(_CHOICES.get(event.field, {}).get(raw, raw))


def _ref(raw: str) -> str:
    return Ticket(pk=int(raw)).reference if raw.isdigit() else raw


def describe(event: TicketEvent, users: dict, teams: dict) -> str:
    old = _value(event, event.old_value, users, teams)
    new = _value(event, event.new_value, users, teams)
    field = event.field
    if field == "created":
        channel = dict(Channel.choices).get(event.new_value, event.new_value)
        return _("Created via %(channel)s") % {"channel": channel}
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
        "field": field, "old": event.old_value, "new": event.new_value}


def readable_history(ticket: Ticket) -> list[tuple[TicketEvent, str]]:
    events = list(ticket.events.select_related("actor", "actor_customer"))
    users, teams = _names(events)
    return [(event, describe(event, users, teams)) for event in events]
