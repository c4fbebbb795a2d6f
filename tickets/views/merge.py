"""Merging a duplicate ticket into another: a confirm step showing both, then the merge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from .. import services
from ..models import Ticket
from ..queries import get_ticket_for_agent, visible_tickets


def _target(request: HttpRequest, raw: str) -> Ticket | None:
    """The ticket "HD-123" or "123" names, if this agent may see it."""
    target_id = Ticket.parse_reference(raw)
    if target_id is None and raw.isdigit():
        target_id = int(raw)
    if target_id is None:
        return None
    return (visible_tickets(request.user).select_related("customer", "team", "assignee")
            .annotate(message_count=Count("messages")).filter(pk=target_id).first())


@require_POST
@staff_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Without ``confirm`` the answer is the confirm page; with it, the merge."""
    source = get_ticket_for_agent(request.user, pk)
    raw = request.POST.get("target", "").strip()
    target = _target(request, raw)
    if target is None:
        messages.error(request, _("No ticket %(ref)s that you can see.") % {"ref": raw})
        return redirect(source)
    try:
        if request.POST.get("confirm") != "1":
            services.check_merge(source=source, target=target, actor=request.user)
            source.message_count = source.messages.count()
            return render(request, "tickets/merge_confirm.html",
                          {"source": source, "target": target})
        services.merge_tickets(source=source, target=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(source)
    messages.success(request, _("%(source)s was merged into %(target)s.")
                     % {"source": source.reference, "target": target.reference})
    return redirect(target)
