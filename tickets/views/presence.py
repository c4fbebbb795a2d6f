"""Collision notice: who else has this ticket open, and who is typing a reply.

Each open ticket page polls every ~10 s. Presence lives in the Django cache (one
entry per ticket, a short TTL) so it costs no database writes and fades by
itself when a tab is closed. Without the cache (Redis down) nobody is shown.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from helpdesk import cache
from helpdesk.permissions import staff_required

from .detail import _ticket

TTL_SECONDS = 30  # three missed polls and the agent is gone


def _key(ticket_id: int) -> str:
    return f"helpdesk:presence:{ticket_id}"


def touch(ticket_id: int, user, typing: bool) -> list[dict]:
    """Record this user's presence and return the other agents present."""
    now = time.time()
    entries = {uid: e for uid, e in cache.get(_key(ticket_id), {}).items()
               if now - e["at"] < TTL_SECONDS}
    entries[user.pk] = {"name": user.get_full_name(), "typing": typing, "at": now}
    cache.set(_key(ticket_id), entries, TTL_SECONDS)
    return [e for uid, e in entries.items() if uid != user.pk]


@require_POST
@staff_required
def presence(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request, pk)
    others = touch(ticket.pk, request.user, typing=request.POST.get("typing") == "1")
    return render(request, "tickets/detail.html#presence", {"ticket": ticket, "others": others,
                                                           "polled": True})
