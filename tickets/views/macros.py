"""Macros in the agent workspace: the management page, and the ticket page's picker
(preview fragment, apply). Every change goes through tickets.services.macros."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpdesk.permissions import staff_required

from ..macro_forms import MacroForm
from ..models import Macro
from ..queries import get_ticket_for_agent
from ..services import macros as macro_services

DRAFT_KEY = "reply_draft:{pk}"


def _visible_macro(request: HttpRequest, pk: int) -> Macro:
    macro = macro_services.visible_macros(request.user).filter(pk=pk).first()
    if macro is None:
        raise Http404
    return macro


def _editable_macro(request: HttpRequest, pk: int) -> Macro:
    macro = _visible_macro(request, pk)
    if not macro_services.can_edit(request.user, macro):
        raise Http404
    return macro


@staff_required
def macro_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    macros = list(macro_services.visible_macros(user))
    summaries = macro_services.describe(macros)
    rows = [(m, macro_services.can_edit(user, m), summaries[m.pk]) for m in macros]
    return render(request, "tickets/macros/list.html", {
        "personal": [r for r in rows if not r[0].shared],
        "shared": [r for r in rows if r[0].shared],
    })


@staff_required
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    macro = _editable_macro(request, pk) if pk else None
    form = MacroForm(request.POST or None, user=request.user, macro=macro)
    if request.method == "POST" and form.is_valid():
        try:
            macro_services.save_macro(macro=macro, actor=request.user,
                                      name=form.cleaned_data["name"], actions=form.actions(),
                                      shared=form.cleaned_data.get("shared", False))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Macro saved."))
            return redirect("tickets:macro_list")
    return render(request, "tickets/macros/form.html", {"form": form, "macro": macro})


@require_POST
@staff_required
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    macro_services.delete_macro(macro=_editable_macro(request, pk), actor=request.user)
    messages.success(request, _("Macro deleted."))
    return redirect("tickets:macro_list")


@require_GET
@staff_required
def macro_preview(request: HttpRequest, pk: int, macro_pk: int) -> HttpResponse:
    """The picker's preview: what applying the macro would do to this ticket."""
    ticket = get_ticket_for_agent(request.user, pk)
    macro = _visible_macro(request, macro_pk)
    preview = macro_services.preview_macro(macro=macro, ticket=ticket, actor=request.user)
    return render(request, "tickets/macros/preview.html",
                  {"ticket": ticket, "macro": macro, "preview": preview})


@require_POST
@staff_required
def macro_apply(request: HttpRequest, pk: int, macro_pk: int) -> HttpResponse:
    """Apply the field changes and the note; the filled reply joins the agent's draft
    in the reply box, to be edited and sent (it is not sent here)."""
    ticket = get_ticket_for_agent(request.user, pk)
    macro = _visible_macro(request, macro_pk)
    draft = request.POST.get("draft", "")
    try:
        applied = macro_services.apply_macro(macro=macro, ticket=ticket, actor=request.user,
                                             send_reply=False)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if applied.reply:
            draft = f"{draft.rstrip()}\n\n{applied.reply}" if draft.strip() else applied.reply
        messages.success(request, _("Macro “%(name)s” applied.") % {"name": macro.name})
    if draft:
        request.session[DRAFT_KEY.format(pk=ticket.pk)] = draft
    return redirect(f"{ticket.get_absolute_url()}#reply-body")


def pop_draft(request: HttpRequest, ticket_id: int) -> str:
    """The reply box's text carried over an apply (empty when none)."""
    return request.session.pop(DRAFT_KEY.format(pk=ticket_id), "") if hasattr(
        request, "session") else ""
