"""What opening a ticket needs, as one frozen value: ``open_ticket(NewTicket(...))``.

Every channel (email intake, portal and widget form, phone, API, intake webhook, live
chat) describes its ticket with the same object, so a new channel adds a field here
and a line in ``open_ticket`` instead of another keyword threaded through every caller
(docs/extending.md, "Opening a ticket from a new channel").
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import User

from ..models import Channel, Customer, Team, Ticket


@dataclass(frozen=True, kw_only=True, slots=True)
class EmailDetails:
    """What a mail adds to the customer's words: its HTML part, the quoted history cut
    off the visible text, and the headers that thread later replies into the ticket.

    ``message_id`` is also the idempotency key of the intake webhook (an external id),
    which is why it is unique per customer rather than only per mail.
    """

    body_html: str = ""
    quoted_text: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""


NO_EMAIL = EmailDetails()


@dataclass(frozen=True, kw_only=True, slots=True)
class NewTicket:
    """A ticket to open with the customer's first message.

    ``team`` empty: the team of the receiving ``addresses`` (email) or of the channel
    (``tickets.routing.default_team``). ``acknowledge`` false, or an automatic message
    (an out-of-office), sends no acknowledgement. ``follows_up`` is the closed ticket a
    late reply continues.
    """

    # Who writes and what they say.
    customer: Customer
    subject: str
    body: str
    is_automatic: bool = False
    email: EmailDetails = NO_EMAIL
    # Where it lands.
    channel: str = Channel.WEB
    addresses: tuple[str, ...] = ()
    team: Team | None = None
    assignee: User | None = None
    priority: str = Ticket.Priority.NORMAL
    tags: tuple[str, ...] = ()
    follows_up: Ticket | None = None
    # What the customer is told.
    acknowledge: bool = True
