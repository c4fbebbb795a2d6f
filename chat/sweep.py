"""The periodic chat sweep (docs/live-chat.md, "Abandoned and idle chats"), run every
minute by Celery beat (``chat.tasks.sweep_chats``):

- a waiting chat whose visitor closed the widget ``HELPDESK_CHAT_LEFT_AFTER`` seconds
  ago without coming back, before any agent joined, becomes a *missed* chat (its ticket
  stays open for an answer by email), as when the visitor ends it themselves;
- an active chat in which nobody wrote for ``HELPDESK_CHAT_IDLE_MINUTES`` is ended as an
  agent would end it: the ticket is solved and the visitor, if still there, is asked
  for a rating;
- waiting chats are handed to agents who have room again (assignment modes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from .models import Chat
from .services import assign_waiting_chats, end_chat

logger = logging.getLogger(__name__)

#: At most this many chats are ended per kind in one sweep; the next sweep goes on.
BATCH = 500


@dataclass
class Swept:
    missed: int = 0
    idle: int = 0
    assigned: int = 0


def sweep_chats(*, now=None) -> Swept:
    now = now or timezone.now()
    swept = Swept()
    left_before = now - timedelta(seconds=settings.HELPDESK_CHAT_LEFT_AFTER)
    abandoned = (Chat.objects.filter(status=Chat.Status.WAITING,
                                     visitor_left_at__lte=left_before)
                 .order_by("pk").values_list("pk", flat=True)[:BATCH])
    for chat_id in abandoned:
        swept.missed += _end(chat_id, want=Chat.Status.MISSED)
    quiet_since = now - timedelta(minutes=settings.HELPDESK_CHAT_IDLE_MINUTES)
    idle = (Chat.objects.filter(status=Chat.Status.ACTIVE, accepted_at__lte=quiet_since)
            .annotate(last=Max("ticket__messages__created_at",
                               filter=Q(ticket__messages__public=True)))
            .filter(Q(last__lte=quiet_since) | Q(last__isnull=True))
            .order_by("pk").values_list("pk", flat=True)[:BATCH])
    for chat_id in idle:
        swept.idle += _end(chat_id, want=Chat.Status.ENDED)
    swept.assigned = assign_waiting_chats()
    return swept


def _end(chat_id: int, *, want: str) -> int:
    """End one chat by the system (its own transaction); 1 if it ended as wanted."""
    chat = Chat.objects.filter(pk=chat_id).first()
    if chat is None:
        return 0
    try:
        chat = end_chat(chat=chat, actor=None)
    except Exception:  # one broken chat must not stop the sweep
        logger.exception("chat sweep could not end chat %s", chat_id)
        return 0
    return int(chat.status == want)
