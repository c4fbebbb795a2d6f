"""Reads shared by the socket consumers, the inbox page, the API and the dashboard."""

from __future__ import annotations

from django.db.models import QuerySet

from tickets import policy
from tickets.models import Message

from .models import Chat

#: How many messages a (re)connecting socket receives: the recent conversation.
HISTORY = 200


def is_live(ticket_id: int) -> bool:
    return Chat.objects.filter(ticket_id=ticket_id, status__in=(
        Chat.Status.WAITING, Chat.Status.ACTIVE)).exists()


def visible_chats(user) -> QuerySet[Chat]:
    """Chats of the tickets this agent may see (tickets/policy.py)."""
    return Chat.objects.filter(ticket__in=policy.visible_tickets(user))


def inbox(user, status: str | None = None) -> QuerySet[Chat]:
    chats = (visible_chats(user)
             .select_related("ticket__customer__organization", "ticket__team", "agent"))
    if status:
        chats = chats.filter(status=status)
    else:
        chats = chats.filter(status__in=(Chat.Status.WAITING, Chat.Status.ACTIVE))
    return chats.order_by("started_at", "pk")


def history(chat: Chat) -> list[Message]:
    """The public messages of the chat's ticket, oldest first (the visitor never sees notes)."""
    messages = (Message.objects.filter(ticket_id=chat.ticket_id, public=True)
                .select_related("author_user", "author_customer")
                .prefetch_related("attachments").order_by("-created_at", "-pk"))
    return list(reversed(messages[:HISTORY]))
