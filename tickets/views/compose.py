"""The reply box's additions (docs/replies.md): the reply with files and copies, its
preview, forwarding to a side conversation, and inline images of agents' replies.

A refused reply (a file too large or a program, a bad CC address) renders the
ticket page again with status 400, the error beside the field and everything typed
still in the form: nothing is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.files import serve_stored_file
from helpdesk.permissions import staff_required

from ..models import Attachment, Ticket
from ..queries import get_ticket_for_agent, visible_tickets
from ..services import compose, side
from .detail_context import detail_context

REPLY_STATUS = {"send": None, "send_pending": Ticket.Status.PENDING,
                "send_solved": Ticket.Status.SOLVED}


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(m for e in errors for m in e.messages)
                for field, errors in exc.error_dict.items()}
    return {"body": " ".join(exc.messages)}


def _copies(request: HttpRequest, name: str):
    """The form's CC/BCC text; None (keep the ticket's) when the form had no such field."""
    return request.POST.get(name) if name in request.POST else None


def send(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """The reply box's POST (``tickets:reply``)."""
    public = request.POST.get("kind", "reply") != "note"
    try:
        compose.send_reply(
            ticket=ticket, agent=request.user, body=request.POST.get("body", ""), public=public,
            new_status=REPLY_STATUS.get(request.POST.get("action", "send")),
            files=request.FILES.getlist("attachments"),
            cc=_copies(request, "cc"), bcc=_copies(request, "bcc"))
    except ValidationError as exc:
        return again(request, ticket, _field_errors(exc))
    messages.success(request, _("Reply sent.") if public else _("Internal note added."))
    return redirect(ticket)


def again(request: HttpRequest, ticket: Ticket, errors: dict[str, str], *,
          stale=None) -> HttpResponse:
    """The ticket page with the reply box as typed: after a refusal (400), or when the
    ticket changed since the page was opened (409, ``stale``: what changed)."""
    post = request.POST
    context = detail_context(request, ticket)
    context["reply_draft"] = post.get("body", "")
    context["reply_kind"] = "note" if post.get("kind") == "note" else "reply"
    action = post.get("action", "send")
    context["reply_action"] = action if action in REPLY_STATUS else "send"
    if stale:
        context["stale"] = stale
    context["compose"] = {"errors": errors, "kind": post.get("kind", "reply"),
                          "cc": post.get("cc", ", ".join(ticket.cc)),
                          "bcc": post.get("bcc", ", ".join(ticket.bcc)),
                          "files_lost": bool(request.FILES)}
    return render(request, "tickets/detail.html", context, status=409 if stale else 400)


@require_POST
@staff_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    public = request.POST.get("kind", "reply") != "note"
    body = compose.preview(ticket=ticket, agent=request.user, body=request.POST.get("body", ""),
                           public=public)
    errors = {}
    cc = bcc = []
    if public:
        try:
            cc, bcc = compose._copies(ticket, request.POST.get("cc", ""), request.POST.get("bcc", ""))
        except ValidationError as exc:
            errors = _field_errors(exc)
    return render(request, "tickets/compose/_preview.html", {
        "ticket": ticket, "body": body, "public": public, "cc": cc, "bcc": bcc,
        "errors": errors})


@require_POST
@staff_required
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    raw = request.POST.get("message", "")
    message = ticket.messages.filter(pk=raw).first() if raw.isdigit() else None
    try:
        if raw and message is None:
            raise ValidationError({"message": _("That message is not on this ticket.")})
        sent = side.forward_ticket(ticket=ticket, agent=request.user,
                                   to=request.POST.get("to", ""),
                                   body=request.POST.get("note", ""), message=message)
    except ValidationError as exc:
        context = detail_context(request, ticket)
        context["forward"] = {"errors": _field_errors(exc), "to": request.POST.get("to", ""),
                              "note": request.POST.get("note", ""), "message": raw}
        return render(request, "tickets/detail.html", context, status=400)
    messages.success(request, _("Forwarded to %(to)s. Answers will appear here as internal "
                                "notes.") % {"to": sent.to})
    return redirect(ticket)


@staff_required
def inline_image(request: HttpRequest, pk: int, cid: str) -> HttpResponse:
    """An image pasted into an agent's reply, by its Content-ID (``cid:`` in the HTML)."""
    item = (Attachment.objects.filter(message_id=pk, content_id=cid,
                                      message__ticket__in=visible_tickets(request.user))
            .only("file", "filename", "content_type").first())
    if item is None:
        raise Http404
    return serve_stored_file(item.file, filename=item.filename, content_type=item.content_type)
