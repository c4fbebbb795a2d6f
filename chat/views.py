"""The agent's chat inbox in the workspace (docs/live-chat.md, "Agents").

The page is rendered whole by the server (waiting and active chats, the open chat's
conversation and the customer's context); ``static/chat/inbox.js`` then keeps it
live over the agent socket. Accept, transfer and end are plain forms calling the
same services as the API and the socket.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.api import parse_id
from helpdesk.permissions import staff_required
from tickets import directory, policy
from tickets.placeholders import fill_placeholders
from tickets.views.detail_context import side_panels

from . import queries, services, visitor
from .models import Chat

OTHER_TICKETS = 10


def _chat_or_404(user, pk) -> Chat:
    chat_id = parse_id(pk)
    chat = (queries.visible_chats(user)
            .select_related("ticket__customer__organization", "ticket__team", "agent")
            .filter(pk=chat_id).first() if chat_id else None)
    if chat is None:
        raise Http404
    return chat


def _list_context(user) -> dict:
    chats = list(queries.inbox(user))
    return {"waiting": [c for c in chats if c.status == Chat.Status.WAITING],
            "mine": [c for c in chats if c.status == Chat.Status.ACTIVE and c.agent_id == user.pk],
            "others": [c for c in chats if c.status == Chat.Status.ACTIVE and c.agent_id != user.pk]}


def _chat_context(request: HttpRequest, chat: Chat) -> dict:
    user, ticket = request.user, chat.ticket
    others = (policy.visible_tickets(user).filter(customer_id=ticket.customer_id)
              .exclude(pk=ticket.pk).order_by("-created_at")[:OTHER_TICKETS])
    return {
        "chat": chat,
        "history": queries.history(chat),
        "canned": [(c, fill_placeholders(c.body, ticket, user)) for c in directory.canned_for(user)],
        # The choices from the process's copy, as on the ticket page (tickets/directory.py).
        "macros": directory.macros_for(user),
        "agents": [a for a in directory.agents_for(user, ticket) if a.pk != user.pk],
        "teams": directory.teams_for(user),
        "other_tickets": list(others),
        "panels": side_panels(request, ticket),
    }


@staff_required
def inbox(request: HttpRequest, pk: str | None = None) -> HttpResponse:
    context = _list_context(request.user)
    if pk is not None:
        context.update(_chat_context(request, _chat_or_404(request.user, pk)))
    return render(request, "chat/inbox.html", context)


@staff_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The list alone, reloaded by the page when the socket says something changed."""
    context = _list_context(request.user)
    context["current"] = parse_id(request.GET.get("current", ""))
    return render(request, "chat/_list.html", context)


def _act(request: HttpRequest, pk: str, action) -> HttpResponse:
    chat = _chat_or_404(request.user, pk)
    try:
        action(chat)
    except ValidationError as refusal:
        for text in refusal.messages:
            messages.error(request, text)
    return redirect("chat:chat", pk=chat.pk)


@require_POST
@staff_required
def accept(request: HttpRequest, pk: str) -> HttpResponse:
    return _act(request, pk, lambda chat: services.accept_chat(chat=chat, agent=request.user))


@require_POST
@staff_required
def end(request: HttpRequest, pk: str) -> HttpResponse:
    return _act(request, pk, lambda chat: services.end_chat(chat=chat, actor=request.user))


@require_POST
@staff_required
def transfer(request: HttpRequest, pk: str) -> HttpResponse:
    def do(chat: Chat) -> None:
        target = request.POST.get("target", "")
        kind, _sep, raw = target.partition(":")
        target_id = parse_id(raw)
        if kind == "agent" and target_id:
            agent = policy.assignable_agents(request.user, chat.ticket).filter(pk=target_id).first()
            if agent is None:
                raise ValidationError(_("Choose an agent of the chat’s team or of your teams."))
            services.transfer_chat(chat=chat, actor=request.user, agent=agent)
        elif kind == "team" and target_id:
            team = policy.allowed_teams(request.user).filter(pk=target_id).first()
            if team is None:
                raise ValidationError(_("Choose one of your teams."))
            services.transfer_chat(chat=chat, actor=request.user, team=team)
        else:
            raise ValidationError(_("Choose an agent or a team."))
        messages.success(request, _("The chat was transferred."))

    response = _act(request, pk, do)
    return response if _can_still_see(request.user, pk) else redirect("chat:inbox")


def _can_still_see(user, pk) -> bool:
    return queries.visible_chats(user).filter(pk=parse_id(pk) or 0).exists()


@require_POST
@staff_required
def upload(request: HttpRequest, pk: str) -> HttpResponse:
    """``POST /chats/<id>/files/`` (multipart ``attachments``, optional ``body``; the
    session's CSRF token): the agent's files as a message of the chat, announced on the
    sockets. Checked like reply attachments; the agent must be allowed to reply."""
    chat = _chat_or_404(request.user, pk)
    refused = visitor.too_big(request)
    if refused is not None:
        return refused
    files = visitor.uploads(request)
    if isinstance(files, JsonResponse):
        return files
    try:
        message = services.agent_message(chat=chat, agent=request.user,
                                         body=request.POST.get("body"), files=files)
    except ValidationError as refusal:
        return JsonResponse({"errors": visitor.errors_of(refusal)}, status=400)
    except PermissionDenied:
        return JsonResponse({"error": _("You may not reply to this chat.")}, status=403)
    return JsonResponse({"message": message.pk,
                         "files": [a.pk for a in message.chat_files]}, status=201)
