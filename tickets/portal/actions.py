"""The signed-in customer's own actions besides replying: mark a request solved, and
choose the portal's language (docs/pages.md)."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .. import services
from ..models import Ticket
from . import auth


@require_POST
@auth.customer_required
def solve(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer says their request is solved: the same change an agent makes, through
    ``apply_ticket_changes`` with the customer as the actor (an event in the history).
    Replying later reopens it, as a reply to any solved ticket does."""
    ticket = get_object_or_404(Ticket, pk=pk, customer=request.customer)
    # Already solved or closed is a ValidationError: nothing to do, the page shows the status.
    with contextlib.suppress(ValidationError):
        services.apply_ticket_changes(ticket=ticket, changes={"status": Ticket.Status.SOLVED},
                                      actor=None, actor_customer=request.customer,
                                      source="portal")
    return redirect("portal:ticket", pk=ticket.pk)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, plus the signed-in customer's saved language: that one
    wins over the cookie on every portal page, so it must change with the switch."""
    language = request.POST.get("language", "")
    customer = auth.current_customer(request)
    if customer is not None and language in dict(settings.LANGUAGES):
        customer.language = language
        customer.save(update_fields=["language"])
    return django_set_language(request)
