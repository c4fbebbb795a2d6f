"""The ticket page and its actions: reply or note, side-panel changes, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.files import serve_stored_file
from helpdesk.models import User
from helpdesk.permissions import staff_required

from .. import services
from ..models import Attachment, Team, Ticket
from ..queries import get_ticket_for_agent
from . import compose, freshness
from .custom_fields import changes_from_post, field_rows
from .detail_context import context_panels_context, detail_context, sidepanel_context
from .history import readable_history


def _ticket(request: HttpRequest, pk: int) -> Ticket:
    return get_ticket_for_agent(request.user, pk)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@staff_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk, with_sla=True, with_latest_event=True)
    return render(request, "tickets/detail.html", detail_context(request, ticket))


@staff_required
def context_panels(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket page's context column (time, links, the customer's other tickets,
    extension panels), loaded by the page once it shows; without JavaScript, a page
    of its own that the ticket page links to."""
    ticket = get_ticket_for_agent(request.user, pk)
    context = context_panels_context(request, ticket)
    if request.htmx:
        return render(request, "tickets/_context_panels.html", context)
    return render(request, "tickets/context_page.html", context)


@staff_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket's history, loaded when an agent opens it on the ticket page; without
    JavaScript, a page of its own that the ticket page links to."""
    ticket = get_ticket_for_agent(request.user, pk)
    context = {"ticket": ticket, "history": readable_history(ticket)}
    template = "tickets/_history.html" if request.htmx else "tickets/history_page.html"
    return render(request, template, context)


@require_POST
@staff_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    # Someone else wrote or changed the ticket since this page was opened: warn, do not send
    # (the form comes back as typed, carrying the new version, so "Send anyway" sends).
    version = freshness.Version.from_post(request.POST)
    if version is not None and request.POST.get("body", "").strip():
        changes = freshness.changes_since(ticket, version, user=request.user)
        if changes:
            return compose.again(request, ticket, {}, stale=changes)
    # Files, CC/BCC, formatting and signature; a refused reply is shown again as typed.
    return compose.send(request, ticket)


def _chosen(queryset, value: str, field: str):
    """The object a side-panel select names; the policy judges whether it may be chosen."""
    if not value:
        return None
    obj = queryset.filter(pk=value).first() if value.isdigit() else None
    if obj is None:
        raise ValidationError({field: _("Select a valid choice.")}, code="invalid")
    return obj


def _apply_properties(request: HttpRequest, ticket: Ticket) -> None:
    """The side panel's changed fields as one change set through the change service."""
    post, changes = request.POST, {}
    if post.get("status") and post["status"] != ticket.status:
        changes["status"] = post["status"]
    if post.get("priority") and post["priority"] != ticket.priority:
        changes["priority"] = post["priority"]
    if "team" in post and post["team"] != str(ticket.team_id or ""):
        changes["team"] = _chosen(Team.objects.all(), post["team"], "team")
    if "assignee" in post and post["assignee"] != str(ticket.assignee_id or ""):
        changes["assignee"] = _chosen(User.objects.filter(is_active=True), post["assignee"],
                                      "assignee")
    if "tags" in post:
        changes["tags"] = post["tags"].replace(",", " ").split()
    if "custom_fields" in post:  # tickets/extras/fields.html (docs/custom-fields.md)
        changes["fields"] = changes_from_post(ticket, post)
    services.apply_ticket_changes(ticket=ticket, changes=changes, actor=request.user,
                                  source="web")


@require_POST
@staff_required
def update_properties(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    error = ""
    try:
        _apply_properties(request, ticket)
    except ValidationError as exc:
        error = _errors(exc)
    ticket = _ticket(request, pk)  # fresh values, also after a rolled-back change
    if request.htmx:
        context = {**sidepanel_context(ticket, request.user), "panel_error": error,
                   "panel_saved": not error}
        if error:  # keep the custom field values as typed
            context["custom_fields"] = field_rows(ticket, posted=request.POST)
        # The panel, and out of band the header: status, priority and SLA due follow.
        return HttpResponse(render_to_string("tickets/detail.html#sidepanel", context, request)
                            + render_to_string("tickets/_ticket_head.html",
                                               {"ticket": ticket, "oob": True}, request))
    if error:
        messages.error(request, error)
    return redirect(ticket)


@staff_required
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Attachments are served only to staff who may see the ticket, never by raw
    media URL, and through serve_user_file so that no file can run in our origin."""
    item = Attachment.objects.select_related("message").filter(pk=pk).first()
    if item is None:
        raise Http404
    _ticket(request, item.message.ticket_id)
    return serve_stored_file(item.file, filename=item.filename, content_type=item.content_type)
