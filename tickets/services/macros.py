"""Macros: validate and save them, preview them on a ticket, apply them.

A macro's field changes go through ``apply_ticket_changes`` (source "macro"), so the
policy of the agent *applying* it decides what may change, whatever the macro's
author could do; its note and, when asked, its reply go through ``reply_to_ticket``.
On the ticket page the reply is not sent: its filled text goes into the reply box
for the agent to edit and send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.models import User

from .. import policy
from ..models import Macro, Message, Team, Ticket
from ..placeholders import fill_placeholders
from .changes import apply_ticket_changes
from .tickets import reply_to_ticket

MAX_TEXT = 20_000
MAX_TAGS = 50

#: Action types, in the order they are shown and applied.
ACTION_TYPES = {
    "reply": gettext_lazy("Reply"),
    "set_status": gettext_lazy("Status"),
    "set_priority": gettext_lazy("Priority"),
    "set_team": gettext_lazy("Team"),
    "set_assignee": gettext_lazy("Assignee"),
    "add_tags": gettext_lazy("Add tags"),
    "remove_tags": gettext_lazy("Remove tags"),
    "add_note": gettext_lazy("Internal note"),
    "set_fields": gettext_lazy("Custom fields"),  # {key: value} (docs/custom-fields.md)
}
ME = "me"  # set_assignee: whoever applies the macro


def visible_macros(user: User) -> QuerySet[Macro]:
    """Shared macros and the user's own; other people's personal macros never."""
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user)).order_by("name", "pk")


def can_edit(user: User, macro: Macro) -> bool:
    if macro.owner_id is not None:
        return macro.owner_id == user.pk
    return policy.sees_all(user)


# -- validation ---------------------------------------------------------------------------

def _bad(kind: str, message: str) -> ValidationError:
    return ValidationError({"actions": f"{kind}: {message}"}, code="invalid")


def _text(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(kind, _("Write some text."))
    if len(value) > MAX_TEXT:
        raise _bad(kind, _("At most %(n)d characters.") % {"n": MAX_TEXT})
    return value.strip()


def _choice(kind: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value not in choices.values:
        raise _bad(kind, _("Unknown value %(value)s.") % {"value": repr(value)})
    return value


def _tags(kind: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_TAGS:
        raise _bad(kind, _("Give a list of 1 to %(n)d tags.") % {"n": MAX_TAGS})
    names = []
    for name in value:
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 50:
            raise _bad(kind, _("Tags are short non-empty texts."))
        names.append(name.strip().lower())
    return sorted(set(names))


def _team(kind: str, value: Any, user: User) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(kind, _("Give a team id."))
    if not policy.allowed_teams(user).filter(pk=value).exists():
        raise _bad(kind, _("Choose one of your teams."))
    return value


def _assignee(kind: str, value: Any, user: User) -> int | str | None:
    if value is None or value == ME:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(kind, _('Give an agent id, "me" or null.'))
    if not policy.assignable_agents(user).filter(pk=value).exists():
        raise _bad(kind, _("Choose an agent of your teams."))
    return value


def _fields(kind: str, value: Any) -> dict:
    """Custom field values checked as their types now (every active field; whether one
    applies to a ticket is decided when the macro is applied)."""
    from .custom_fields import active_fields, clean_values

    if not isinstance(value, dict) or not value:
        raise _bad(kind, _("Give an object of field keys and values."))
    try:
        clean_values(value, active_fields())
    except ValidationError as exc:
        raise _bad(kind, "; ".join(exc.messages)) from None
    return value


def clean_actions(actions: Any, *, user: User) -> list[dict]:
    """The actions in canonical form, or ValidationError naming the faulty action.

    ``user`` is the macro's author: a team or assignee they may not choose is refused
    now, so an agent cannot save a macro that moves tickets out of their reach.
    """
    if not isinstance(actions, list) or not actions:
        raise ValidationError({"actions": _("Add at least one action.")}, code="required")
    cleaned: dict[str, object] = {}
    for action in actions:
        if not isinstance(action, dict) or set(action) != {"type", "value"}:
            raise ValidationError({"actions": _('Each action is {"type": …, "value": …}.')},
                                  code="invalid")
        kind, value = action["type"], action["value"]
        if kind not in ACTION_TYPES:
            raise ValidationError({"actions": _("Unknown action %(type)s.")
                                   % {"type": repr(kind)}}, code="unknown")
        if kind in cleaned:
            raise _bad(kind, _("This action is given twice."))
        if kind in ("reply", "add_note"):
            cleaned[kind] = _text(kind, value)
        elif kind == "set_status":
            cleaned[kind] = _choice(kind, value, Ticket.Status)
        elif kind == "set_priority":
            cleaned[kind] = _choice(kind, value, Ticket.Priority)
        elif kind == "set_team":
            cleaned[kind] = _team(kind, value, user)
        elif kind == "set_assignee":
            cleaned[kind] = _assignee(kind, value, user)
        elif kind == "set_fields":
            cleaned[kind] = _fields(kind, value)
        else:
            cleaned[kind] = _tags(kind, value)
    return [{"type": kind, "value": cleaned[kind]} for kind in ACTION_TYPES if kind in cleaned]


# -- saving -------------------------------------------------------------------------------

@transaction.atomic
def save_macro(*, name: str, actions: Any, shared: bool, actor: User,
               macro: Macro | None = None) -> Macro:
    """Create (``macro`` None) or change a macro. Agents keep personal macros;
    managers and admins may also share them with everyone."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("This field may not be blank.")}, code="blank")
    if len(name) > 150:
        raise ValidationError({"name": _("At most 150 characters.")}, code="max_length")
    if shared and not policy.sees_all(actor):
        raise ValidationError({"shared": _("Only managers may share macros.")}, code="forbidden")
    if macro is not None and not can_edit(actor, macro):
        raise ValidationError({"macro": _("You may not change this macro.")}, code="forbidden")
    actions = clean_actions(actions, user=actor)
    now = timezone.now()
    owner = None if shared else (macro.owner if macro and macro.owner_id else actor)
    if macro is None:
        return Macro.objects.create(name=name, actions=actions, owner=owner, created_by=actor,
                                    created_at=now, updated_at=now)
    macro.name, macro.actions, macro.owner, macro.updated_at = name, actions, owner, now
    macro.save(update_fields=["name", "actions", "owner", "updated_at"])
    return macro


def delete_macro(*, macro: Macro, actor: User) -> None:
    if not can_edit(actor, macro):
        raise ValidationError({"macro": _("You may not delete this macro.")}, code="forbidden")
    macro.delete()


# -- preview and apply --------------------------------------------------------------------

def _changes(macro: Macro, actor: User) -> dict:
    """The change set for ``apply_ticket_changes``; ids resolved to rows."""
    changes: dict = {}
    for action in macro.actions:
        kind, value = action["type"], action["value"]
        if kind == "set_status":
            changes["status"] = value
        elif kind == "set_priority":
            changes["priority"] = value
        elif kind == "add_tags":
            changes["add_tags"] = value
        elif kind == "remove_tags":
            changes["remove_tags"] = value
        elif kind == "set_team":
            team = Team.objects.filter(pk=value).first()
            if team is None:
                raise ValidationError({"team": _("The macro's team no longer exists.")})
            changes["team"] = team
        elif kind == "set_assignee":
            changes["assignee"] = _resolve_assignee(value, actor)
        elif kind == "set_fields":
            changes["fields"] = value
    return changes


def _resolve_assignee(value: int | str | None, actor: User) -> User | None:
    if value is None:
        return None
    if value == ME:
        return actor
    agent = User.objects.filter(pk=value, is_active=True).first()
    if agent is None:
        raise ValidationError({"assignee": _("The macro's agent is no longer active.")})
    return agent


@dataclass
class Preview:
    """What applying the macro would do: texts filled, fields as (label, old, new)."""

    reply: str = ""
    note: str = ""
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def preview_macro(*, macro: Macro, ticket: Ticket, actor: User) -> Preview:
    """Compute, without writing, what ``apply_macro`` would do to this ticket now.

    ``ticket`` should come with its team, assignee and tags loaded. A change the
    ticket or the actor's policy would refuse is listed in ``problems``.
    """
    preview = Preview(reply=fill_placeholders(macro.action("reply") or "", ticket, actor),
                      note=fill_placeholders(macro.action("add_note") or "", ticket, actor))
    try:
        changes = _changes(macro, actor)
    except ValidationError as exc:
        preview.problems += exc.messages
        return preview
    if "status" in changes and changes["status"] != ticket.status:
        new = Ticket.Status(changes["status"])
        preview.fields.append((_("Status"), ticket.get_status_display(), str(new.label)))
        if not ticket.can_transition(new):
            preview.problems.append(_("A ticket cannot go from %(old)s to %(new)s.")
                                    % {"old": ticket.get_status_display(), "new": new.label})
    if "priority" in changes and changes["priority"] != ticket.priority:
        preview.fields.append((_("Priority"), ticket.get_priority_display(),
                               str(Ticket.Priority(changes["priority"]).label)))
    if "team" in changes and changes["team"].pk != ticket.team_id:
        preview.fields.append((_("Team"), str(ticket.team or "—"), str(changes["team"])))
        if not policy.allowed_teams(actor).filter(pk=changes["team"].pk).exists():
            preview.problems.append(_("You may not move tickets to %(team)s.")
                                    % {"team": changes["team"]})
    if "assignee" in changes and changes["assignee"] != ticket.assignee:
        preview.fields.append((_("Assignee"), str(ticket.assignee or _("Nobody")),
                               str(changes["assignee"] or _("Nobody"))))
    old_tags = sorted(t.name for t in ticket.tags.all())
    new_tags = sorted((set(old_tags) | set(changes.get("add_tags", [])))
                      - set(changes.get("remove_tags", [])))
    if new_tags != old_tags:
        preview.fields.append((_("Tags"), ", ".join(old_tags) or "—", ", ".join(new_tags) or "—"))
    if changes.get("fields"):
        _preview_fields(preview, ticket, changes["fields"])
    return preview


def _preview_fields(preview: Preview, ticket: Ticket, values: dict) -> None:
    from .custom_fields import clean_changes, display, values_of

    try:
        cleaned = clean_changes(ticket, values)
    except ValidationError as exc:
        preview.problems += exc.messages
        return
    current = values_of(ticket.pk)
    for custom, new in cleaned.items():
        old = current.get(custom.pk, [])
        if old != new:
            preview.fields.append((custom.label, display(custom, old) or "—",
                                   display(custom, new) or "—"))


@dataclass
class Applied:
    """What ``apply_macro`` did. ``reply`` is the filled reply text (sent when
    ``message`` is set, otherwise for the reply box); ``changes`` maps each field
    that changed to ``[old, new]``."""

    macro: Macro
    reply: str = ""
    message: Message | None = None
    note: Message | None = None
    changes: dict = field(default_factory=dict)


@transaction.atomic
def apply_macro(*, macro: Macro, ticket: Ticket, actor: User, send_reply: bool) -> Applied:
    """Apply the macro to the ticket as ``actor``: all of it or nothing.

    The note is added first, then (``send_reply``) the reply is sent, then the
    field changes apply, so "reply and solve" emails the reply before the solved
    notice. ``send_reply=False`` returns the filled reply for the agent to edit.
    """
    if not visible_macros(actor).filter(pk=macro.pk).exists():
        raise ValidationError({"macro": _("Unknown macro.")}, code="unknown")
    result = Applied(macro=macro,
                     reply=fill_placeholders(macro.action("reply") or "", ticket, actor))
    changes = _changes(macro, actor)
    note = macro.action("add_note")
    if note:
        result.note = reply_to_ticket(ticket=ticket, agent=actor, public=False,
                                      body=fill_placeholders(note, ticket, actor))
    if send_reply and result.reply:
        result.message = reply_to_ticket(ticket=ticket, agent=actor, body=result.reply)
    if changes:
        ticket.refresh_from_db()
        result.changes = apply_ticket_changes(ticket=ticket, changes=changes, actor=actor,
                                              source="macro").changes
    return result


def describe(macros: list[Macro]) -> dict[int, str]:
    """One line per macro saying what it does ("Status: Pending · Add tags: vip · …"),
    with team and agent names looked up in two queries for the whole list."""
    team_ids = {a["value"] for m in macros for a in m.actions if a["type"] == "set_team"}
    agent_ids = {a["value"] for m in macros for a in m.actions
                 if a["type"] == "set_assignee" and isinstance(a["value"], int)}
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    agents = {u.pk: str(u) for u in User.objects.filter(pk__in=agent_ids)} if agent_ids else {}
    lines = {}
    for macro in macros:
        parts = []
        for action in macro.actions:
            kind, value = action["type"], action["value"]
            label = str(ACTION_TYPES[kind])
            if kind in ("reply", "add_note"):
                parts.append(label)
            elif kind == "set_status":
                parts.append(f"{label}: {Ticket.Status(value).label}")
            elif kind == "set_priority":
                parts.append(f"{label}: {Ticket.Priority(value).label}")
            elif kind == "set_team":
                parts.append(f"{label}: {teams.get(value, '?')}")
            elif kind == "set_assignee":
                who = (_("whoever applies it") if value == ME else _("nobody") if value is None
                       else agents.get(value, "?"))
                parts.append(f"{label}: {who}")
            elif kind == "set_fields":
                parts.append(f"{label}: {', '.join(f'{k}={v}' for k, v in value.items())}")
            else:
                parts.append(f"{label}: {', '.join(value)}")
        lines[macro.pk] = " · ".join(parts)
    return lines
