"""Is the chat open? (docs/live-chat.md, "Outside business hours"). A team with chat
hours (``TeamChatHours``) chats only within its business calendar's working time,
holidays included (tickets/businesstime.py); outside them, and whenever no agent of
the team is available, the widget takes a message that becomes an email ticket."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tickets.businesstime import business_us_between
from tickets.services.sla.cache import calendar_snapshot

from .models import TeamChatHours

OPEN, CLOSED, AWAY = "open", "closed", "away"


def in_hours(team, now=None) -> bool:
    if team is None:
        return True
    calendar_id = (TeamChatHours.objects.filter(team=team)
                   .values_list("calendar_id", flat=True).first())
    calendar = calendar_snapshot(calendar_id) if calendar_id else None
    if calendar is None:
        return True
    now = now or timezone.now()
    return business_us_between(calendar, now, now + timedelta(seconds=1)) > 0


def availability(team, now=None) -> str:
    """``open``, ``closed`` (outside the team's chat hours) or ``away`` (nobody available)."""
    from .services import agents_online

    if not in_hours(team, now):
        return CLOSED
    return OPEN if agents_online(team) else AWAY
