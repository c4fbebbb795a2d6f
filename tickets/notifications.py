"""Emails the ticket services send, written to the outbox in the caller's transaction.

Each function renders its subject and bodies in the recipient's language from
templates under ``templates/tickets/email/`` and queues one OutboundEmail.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from helpdesk.outbox import queue_email

from .models import Message, Ticket


def _render(template: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, **context}
        subject = render_to_string(f"tickets/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"tickets/email/{template}.txt", context)
    return " ".join(subject.split()), text


def _to_customer(kind: str, ticket: Ticket, message: Message | None, template: str) -> None:
    customer = ticket.customer
    if customer.bounced:
        return
    subject, text = _render(template, customer.language, {"ticket": ticket, "message": message,
                                                          "customer": customer})
    queue_email(kind=kind, to=customer.email, subject=subject, body_text=text,
                language=customer.language, ticket_id=ticket.pk)


def acknowledge_ticket(*, ticket: Ticket, message: Message) -> None:
    _to_customer("acknowledgement", ticket, message, "acknowledgement")


def agent_replied(*, ticket: Ticket, message: Message) -> None:
    _to_customer("agent_reply", ticket, message, "agent_reply")


def ticket_solved(*, ticket: Ticket) -> None:
    _to_customer("solved", ticket, None, "solved")


def customer_replied(*, ticket: Ticket, message: Message) -> None:
    agent = ticket.assignee
    to = agent.email if agent else (ticket.team.email if ticket.team_id else "")
    if not to:
        return
    language = (agent.language if agent else "") or settings.LANGUAGE_CODE
    subject, text = _render("customer_reply", language, {"ticket": ticket, "message": message})
    queue_email(kind="customer_reply", to=to, subject=subject, body_text=text,
                language=language, ticket_id=ticket.pk)


def ticket_assigned(*, ticket: Ticket, actor=None) -> None:
    agent = ticket.assignee
    if agent is None or agent == actor:
        return
    language = agent.language or settings.LANGUAGE_CODE
    subject, text = _render("assigned", language, {"ticket": ticket, "actor": actor})
    queue_email(kind="assigned", to=agent.email, subject=subject, body_text=text,
                language=language, ticket_id=ticket.pk)
