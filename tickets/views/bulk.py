"""Bulk actions on the ticket list: assign, status, priority, tag, apply a macro, set a
custom field (``services.field_bulk``: the side panel's rules in a constant number of
queries).

All selected tickets change in one transaction, each through ``apply_ticket_changes``. If the
model or the policy refuses one (say, reopening a closed ticket, or a priority change
the agent's role may not make), nothing changes and the message names the tickets that
refused and why, so the agent can deselect and retry.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpdesk.models import User
from helpdesk.permissions import staff_required

from .. import policy, services
from ..models import Macro, Ticket
from ..queries import visible_tickets
from ..services import field_bulk
from ..services.macros import apply_macro, visible_macros
from .queue import safe_next


class _Refused(Exception):
    pass


def _changes(request: HttpRequest) -> dict | None:
    """The change set of the chosen action, or None when the input is not valid.

    The policy judges each ticket in ``apply_ticket_changes``; an assignee the
    user may not pick for one of the tickets refuses the whole batch.
    """
    action, value, user = request.POST.get("action"), request.POST.get("value", ""), request.user
    if action == "assign":
        if value == "none":
            return {"assignee": None}
        if value == "me":
            value = str(user.pk)
        agent = User.objects.filter(pk=value, is_active=True).first() if value.isdigit() else None
        return {"assignee": agent} if agent is not None else None
    if action in ("status", "priority") and value:
        return {action: value}
    if action == "tag" and value.strip():
        return {"add_tags": [value]}
    return None


def _field_key(request: HttpRequest) -> str | None:
    """The key of the "set <field>" action (``field:<key>``), or None."""
    action = request.POST.get("action", "")
    return action.removeprefix("field:") if action.startswith("field:") else None


def _field_value(request: HttpRequest) -> str | list[str]:
    # A multi-select posts several values; every other control one (empty clears).
    values = request.POST.getlist("value")
    return values if len(values) > 1 else (values[0] if values else "")


def _macro(request: HttpRequest) -> Macro | None:
    """The macro of the "apply macro" action (one the user may apply), or None."""
    value = request.POST.get("value", "")
    if request.POST.get("action") != "macro" or not value.isdigit():
        return None
    return visible_macros(request.user).filter(pk=value).first()


@require_POST
@staff_required
def bulk_update(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, "/")
    ids = sorted({int(i) for i in request.POST.getlist("ids") if i.isdigit()})
    changes, macro, field_key = _changes(request), _macro(request), _field_key(request)
    if (not ids or (changes is None and macro is None and not field_key)
            or not policy.can(request.user, policy.Action.BULK)):
        messages.error(request, _("Select tickets and an action first."))
        return redirect(back)
    refused: list[str] = []
    try:
        with transaction.atomic():
            tickets = list(visible_tickets(request.user).filter(pk__in=ids)
                           .select_for_update().order_by("pk"))
            if len(tickets) != len(ids):  # some ids are not tickets this user works on
                refused.append(_("%(n)d of the selected tickets are not yours to change.")
                               % {"n": len(ids) - len(tickets)})
            if field_key:
                done = _set_field(request, tickets, field_key, refused)
            else:
                done = _apply_each(request, tickets, macro, changes, refused)
            if refused:
                raise _Refused
    except _Refused:
        messages.error(request, _("Nothing was changed. %(reasons)s") % {"reasons": "; ".join(refused)})
        return redirect(back)
    if field_key and done == 0:
        messages.info(request, _("The selected tickets already had this value."))
        return redirect(back)
    messages.success(request, ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", done)
                     % {"n": done})
    return redirect(back)


def _set_field(request: HttpRequest, tickets: list[Ticket], key: str, refused: list[str]) -> int:
    """Set the field on all ``tickets`` (locked above); refusals go to ``refused``.
    Returns how many tickets changed (those that had the value already do not count)."""
    try:
        changed = field_bulk.set_field_on_tickets(
            tickets=tickets, key=key, raw=_field_value(request), actor=request.user)
    except ValidationError as exc:
        refused.extend(exc.messages)
        return 0
    return len(changed)


def _apply_each(request: HttpRequest, tickets: list[Ticket], macro: Macro | None,
                changes: dict | None, refused: list[str]) -> int:
    done = 0
    for ticket in tickets:
        try:
            if macro is not None:
                # No reply box in a list: the macro's reply goes to each customer.
                apply_macro(macro=macro, ticket=ticket, actor=request.user, send_reply=True)
            else:
                services.apply_ticket_changes(ticket=ticket, changes=changes or {},
                                              actor=request.user, source="bulk")
            done += 1
        except ValidationError as exc:
            refused.append(f"{ticket.reference}: {' '.join(exc.messages)}")
        except PermissionDenied as exc:  # the policy refuses this change on this ticket
            refused.append(f"{ticket.reference}: {str(exc) or _('You may not change this ticket.')}")
    return done
