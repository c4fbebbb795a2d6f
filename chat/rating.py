"""The in-chat rating: the chat channel's survey program asks its question in the
widget, and the answer is a survey Response like any emailed one (docs/live-chat.md).

The chat app is on the ticket side; this module is its one door to the surveys app,
through the surveys service that records chat answers.
"""

from __future__ import annotations

from django.utils import timezone

from surveys.services import chat_answers

from .models import Chat


def rating_request(chat: Chat) -> dict | None:
    """The ``rating_request`` frame for this chat, or None when no program asks."""
    if chat.rated:
        return None
    question = chat_answers.chat_question(ticket=chat.ticket)
    if question is None:
        return None
    # The first ask is what the contact budget counts (chat/contact.py).
    Chat.objects.filter(pk=chat.pk, rating_requested_at__isnull=True).update(
        rating_requested_at=timezone.now())
    return {"type": "rating_request", "question": question.text,
            "scale_min": question.scale_min, "scale_max": question.scale_max}


def rate_chat(*, chat: Chat, score, comment) -> None:
    """Record the visitor's rating once; raises ValidationError naming the field."""
    chat_answers.record_chat_answer(ticket=chat.ticket, score=score, comment=comment)
    Chat.objects.filter(pk=chat.pk).update(rated=True)
