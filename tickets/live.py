"""Live delivery of ticket messages, so tickets need not know the chat app (docs/live-chat.md).

A message of a ticket whose conversation is live (a chat in progress) reaches the
customer on the chat socket; the notification emails (agent reply, customer reply)
skip it. The chat app registers its check in ``ChatConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable

_checks: list[Callable[[int], bool]] = []


def register(check: Callable[[int], bool]) -> None:
    if check not in _checks:
        _checks.append(check)


def is_live(ticket_id: int) -> bool:
    """Is this ticket's conversation happening live right now?"""
    return any(check(ticket_id) for check in _checks)


def ticket_is_live(ticket) -> bool:
    """``is_live`` for a loaded ticket. Only a ticket opened on the chat channel has a
    live conversation (the chat opens its ticket there), so any other asks nothing:
    the customer-reply notification of every email reply checked it with a query."""
    from .models import Channel

    return ticket.channel == Channel.CHAT and is_live(ticket.pk)
