"""New ticket on behalf of a customer, canned responses, personal settings."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from .. import directory, policy, services
from ..forms import CannedResponseForm, NewTicketForm, PersonalSettingsForm
from ..queries import visible_teams
from ..services import canned as canned_services
from .queue import safe_next


@staff_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    teams = visible_teams(request.user).distinct()
    form = NewTicketForm(request.POST or None, teams=teams,
                         initial={"team": teams.first() if not request.user.sees_all_tickets else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["team"] is None and not request.user.sees_all_tickets:
            # As in the API: an agent's ticket lands in their first team, never nowhere.
            data["team"] = policy.allowed_teams(request.user).order_by("pk").first()
        try:
            policy.check(request.user, policy.Action.CREATE, team=data["team"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, "tickets/new_ticket.html", {"form": form}, status=400)
        with transaction.atomic():
            customer = services.get_or_create_caller(email=data["customer_email"],
                                                     phone=data["customer_phone"],
                                                     name=data["customer_name"])
            ticket = services.create_ticket(services.NewTicket(
                subject=data["subject"], body=data["body"], customer=customer,
                channel=data["channel"], priority=data["priority"], team=data["team"],
                assignee=request.user if data["assign_to_me"] else None,
                acknowledge=data["acknowledge"],
            ), actor=request.user)
        messages.success(request, _("Ticket %(ref)s created.") % {"ref": ticket.reference})
        return redirect(ticket)
    return render(request, "tickets/new_ticket.html", {"form": form})


def _editable_canned(request: HttpRequest, pk: int):
    canned = directory.canned_queryset(request.user).filter(pk=pk).first()
    if canned is None:
        raise Http404
    return canned


@staff_required
def canned_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tickets/canned_list.html", {"canned": list(directory.canned_queryset(request.user))})


@staff_required
def canned_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    canned = _editable_canned(request, pk) if pk else None
    form = CannedResponseForm(request.POST or None, instance=canned,
                              teams=visible_teams(request.user).distinct())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        canned_services.save_canned_response(title=data["title"], body=data["body"],
                                             team=data["team"], actor=request.user, canned=canned)
        messages.success(request, _("Canned response saved."))
        return redirect("tickets:canned_list")
    return render(request, "tickets/canned_form.html", {"form": form, "canned": canned})


@require_POST
@staff_required
def canned_delete(request: HttpRequest, pk: int) -> HttpResponse:
    canned_services.delete_canned_response(canned=_editable_canned(request, pk))
    messages.success(request, _("Canned response deleted."))
    return redirect("tickets:canned_list")


@staff_required(analysts=True)
def personal_settings(request: HttpRequest) -> HttpResponse:
    form = PersonalSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your settings were saved."))
        return redirect("tickets:settings")
    return render(request, "tickets/settings.html", {"form": form})


@require_POST
@staff_required(analysts=True)
def set_language(request: HttpRequest) -> HttpResponse:
    """The header's language switcher: the agent's language lives on their user
    row (the middleware activates it), not in a cookie."""
    language = request.POST.get("language", "")
    if language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return redirect(safe_next(request, "/"))
