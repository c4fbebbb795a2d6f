"""Has the ticket changed since this agent opened it? (the stale-reply warning)

The ticket page carries its version: the newest message and event it showed.
Before a reply or note is stored the reply view asks ``changes_since`` what
happened after that version; when someone else wrote or changed something, it
answers with the warning (the page again, the typed text kept) instead of
sending. Submitting again from that page sends: its version is the new one, so
the agent has now seen what changed.

What counts: messages by anyone but this agent (customer, other agents, system
notes such as a merge) and events by another agent or by the customer. The
agent's own side-panel changes and the automatic events that follow them
(rules, SLA re-evaluation, actor None) do not warn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from ..models import Message, Ticket, TicketEvent
from .history import describe_events


@dataclass
class Version:
    message: int = 0
    event: int = 0

    @classmethod
    def of_page(cls, messages: list[Message], latest_event: int) -> Version:
        """The version of what the page shows: its thread is loaded already, and the
        newest event's id is read with the ticket (its history loads on request)."""
        return cls(message=max((m.pk for m in messages), default=0), event=latest_event)

    @classmethod
    def from_post(cls, post) -> Version | None:
        """The version a reply form carried; None when it carried none (a client
        that does not know about versions is never blocked)."""
        message, event = post.get("seen_message", ""), post.get("seen_event", "")
        if not (message.isdigit() and event.isdigit()):
            return None
        return cls(message=int(message), event=int(event))


@dataclass
class Changes:
    messages: list[Message] = field(default_factory=list)
    events: list[tuple[TicketEvent, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.messages or self.events)


def changes_since(ticket: Ticket, version: Version, *, user) -> Changes:
    """What others did to the ticket after ``version``: three queries at most."""
    messages = list(
        ticket.messages.filter(pk__gt=version.message).exclude(author_user=user)
        .select_related("author_user", "author_customer").order_by("pk"))
    by_others = (Q(actor__isnull=False) & ~Q(actor=user)) | Q(actor_customer__isnull=False)
    events = list(
        ticket.events.filter(by_others, pk__gt=version.event)
        .exclude(field__in=("reply", "note"))  # shown as their messages
        .select_related("actor", "actor_customer").order_by("pk"))
    return Changes(messages=messages, events=describe_events(events))
