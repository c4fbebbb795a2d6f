"""Bulk actions on the ticket list: assign, status, priority, tag, apply a macro.

All selected tickets change in one transaction, each through its service. If the
model refuses one (say, reopening a closed ticket), nothing changes and the
message names the tickets that refused, so the agent can deselect and retry.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import services
from ..queries import visible_tickets
from ..services.macros import apply_macro, visible_macros
from .access import staff_required
from .queue import _assignable_agents, safe_next


class _Refused(Exception):
    pass


def _action(request: HttpRequest):
    """The service call for the chosen action, or None when the input is not valid."""
    action, value, user = request.POST.get("action"), request.POST.get("value", ""), request.user
    if action == "assign":
        if value == "none":
            return lambda t: services.assign_ticket(ticket=t, assignee=None, actor=user)
        if value == "me":
            value = str(user.pk)
        agent = _assignable_agents(user).filter(pk=value).first() if value.isdigit() else None
        if agent is None:
            return None
        return lambda t: services.assign_ticket(ticket=t, assignee=agent, actor=user)
    if action == "status":
        return lambda t: services.change_status(ticket=t, status=value, actor=user)
    if action == "priority":
        return lambda t: services.change_priority(ticket=t, priority=value, actor=user)
    if action == "macro":
        # No reply box in a list: the macro's reply is sent to each ticket's customer.
        macro = visible_macros(user).filter(pk=value).first() if value.isdigit() else None
        if macro is None:
            return None
        return lambda t: apply_macro(macro=macro, ticket=t, actor=user, send_reply=True)
    if action == "tag" and value.strip():
        def add_tag(t):
            names = [tag.name for tag in t.tags.all()] + [value]
            services.set_tags(ticket=t, tags=names, actor=user)
        return add_tag
    return None


@require_POST
@staff_required
def bulk_update(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, "/")
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    apply = _action(request)
    if not ids or apply is None:
        messages.error(request, _("Select tickets and an action first."))
        return redirect(back)
    refused: list[str] = []
    done = 0
    try:
        with transaction.atomic():
            tickets = visible_tickets(request.user).filter(pk__in=ids).select_for_update()
            for ticket in tickets.order_by("pk"):
                try:
                    apply(ticket)
                    done += 1
                except ValidationError as exc:
                    refused.append(f"{ticket.reference}: {' '.join(exc.messages)}")
            if refused:
                raise _Refused
    except _Refused:
        messages.error(request, _("Nothing was changed. %(reasons)s") % {"reasons": "; ".join(refused)})
        return redirect(back)
    messages.success(request, ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", done)
                     % {"n": done})
    return redirect(back)

