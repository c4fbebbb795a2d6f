"""The live chat's part of a customer's data export (tickets/privacy.py, docs/privacy.md).
What was said in a chat is the messages of its ticket (``tickets.json``); this section adds
when each chat started, was answered and ended. Erasure keeps these: they are the chat
figures' facts and name nobody."""

from __future__ import annotations

from datetime import datetime

from tickets.models import Customer
from tickets.privacy import Section, register

from .models import Chat


def export_chats(customer: Customer) -> list[dict]:
    return list(Chat.objects.filter(ticket__customer=customer).order_by("pk").values(
        "ticket_id", "status", "started_at", "accepted_at", "first_agent_message_at",
        "ended_at", "visitor_left_at", "rated"))


def erase_chats(customer: Customer, now: datetime) -> int:
    return 0  # times and status only: kept for the chat figures


register(Section("chats", export_chats, erase_chats, covers=("chat.Chat",)))
