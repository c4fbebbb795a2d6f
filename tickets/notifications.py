"""The ticket emails, written to the outbox in the caller's transaction.

Who sends them: the default rules of the rules app (docs/rules.md, "Default
rules"), which a manager may switch off or reword; the services announce the
events (tickets.signals) and send nothing themselves. The sign-in link is sent
by the portal directly.

Each function renders its subject, plain text and branded HTML in the recipient's
language from templates under ``templates/tickets/email/`` and queues one
OutboundEmail. ``override`` (a rule's own wording) maps the recipient's language to
``(subject, text)``, either of which may be None for the template's; custom text is
wrapped in the same branded layout. Every ticket email carries ``X-Helpdesk-Ticket: HD-n`` and automatic
ones carry ``Auto-Submitted`` (RFC 3834), so intake recognises our own mail and
other systems do not auto-reply to it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from helpdesk.outbox import new_message_id, queue_email

from .email_tokens import make_reply_address
from .models import Customer, Message, Ticket
from .replies.files import outbox_files

TICKET_HEADER = "X-Helpdesk-Ticket"
# References grows with a long thread; mail clients only need the recent end of it.
MAX_REFERENCES = 20


Override = Callable[[str], tuple[str | None, str | None]]


def _render(template: str, language: str, context: dict,
            override: Override | None = None) -> tuple[str, str, str]:
    language = language or settings.LANGUAGE_CODE
    own_subject, own_text = override(language) if override else (None, None)
    with translation.override(language):
        context = {"site_url": settings.SITE_URL, "brand_name": settings.HELPDESK_BRAND_NAME,
                   "language": language, **context}
        subject = own_subject or render_to_string(f"tickets/email/{template}_subject.txt",
                                                  context).strip()
        if own_text:
            text = own_text
            html = render_to_string("tickets/email/custom.html", {**context, "text": own_text})
        else:
            text = render_to_string(f"tickets/email/{template}.txt", context)
            html = render_to_string(f"tickets/email/{template}.html", context)
    return " ".join(subject.split()), text, html


def _automatic(kind: str) -> dict[str, str]:
    # "auto-replied" answers a message (RFC 3834 §5); other robots' mail is "auto-generated".
    # X-Auto-Response-Suppress stops Exchange out-of-office replies to it.
    value = "auto-replied" if kind == "acknowledgement" else "auto-generated"
    return {"Auto-Submitted": value, "X-Auto-Response-Suppress": "All"}


def _thread_headers(ticket: Ticket, thread: list[Message] | None = None) -> dict[str, str]:
    """In-Reply-To the customer's latest email on the ticket; References the thread's ids.

    ``thread``: the ticket's public messages, newest first, when the caller knows
    them all (a new ticket has exactly one), to save the query.
    """
    if thread is None:
        ids = list(
            Message.objects.filter(ticket=ticket, public=True)
            .exclude(email_message_id="")
            .order_by("-created_at", "-pk")
            .values_list("email_message_id", "author_type")[:MAX_REFERENCES]
        )
    else:
        ids = [(m.email_message_id, m.author_type) for m in thread
               if m.public and m.email_message_id][:MAX_REFERENCES]
    headers: dict[str, str] = {}
    latest_customer = next((mid for mid, who in ids if who == Message.Author.CUSTOMER), "")
    if latest_customer:
        headers["In-Reply-To"] = latest_customer
    if ids:
        headers["References"] = " ".join(mid for mid, _ in reversed(ids))
    return headers


def _to_customer(kind: str, ticket: Ticket, message: Message | None, *,
                 automatic: bool, message_id: str = "",
                 thread: list[Message] | None = None, override: Override | None = None,
                 **copies) -> str:
    customer = ticket.customer
    if customer.bounced or not customer.email:  # a caller known by phone alone
        return ""
    subject, text, html = _render(kind, customer.language, {
        "ticket": ticket, "message": message, "customer": customer}, override)
    headers = {TICKET_HEADER: ticket.reference, **_thread_headers(ticket, thread)}
    if automatic:
        headers.update(_automatic(kind))
    email = queue_email(kind=kind, to=customer.email, subject=subject, body_text=text,
                        body_html=html, headers=headers, message_id=message_id,
                        reply_to=make_reply_address(ticket.pk), language=customer.language,
                        ticket_id=ticket.pk, **copies)
    return email.message_id


def _to_staff(kind: str, ticket: Ticket, to: str, language: str, context: dict,
              override: Override | None = None) -> None:
    language = language or settings.LANGUAGE_CODE
    subject, text, html = _render(kind, language, {"ticket": ticket, **context}, override)
    headers = {TICKET_HEADER: ticket.reference, **_automatic(kind)}
    queue_email(kind=kind, to=to, subject=subject, body_text=text, body_html=html,
                headers=headers, language=language, ticket_id=ticket.pk)


def acknowledge_ticket(*, ticket: Ticket, message: Message,
                       override: Override | None = None) -> None:
    """Acknowledge a new ticket, whose first message is ``message``."""
    _to_customer("acknowledgement", ticket, message, automatic=True, thread=[message],
                 override=override)


def agent_replied(*, ticket: Ticket, message: Message, override: Override | None = None) -> None:
    """Email the reply and keep its Message-ID on the message, so the customer's
    answer (In-Reply-To it) threads back into this ticket."""
    message_id = new_message_id()
    # CC, BCC and the files of the reply (docs/replies.md); the CC'd answer threads
    # back by In-Reply-To like the customer's.
    copies = {"cc": message.cc, "bcc": message.bcc,
              "attachments": outbox_files(message.attachments.all())}
    if _to_customer("agent_reply", ticket, message, automatic=False, message_id=message_id,
                    override=override, **copies):
        Message.objects.filter(pk=message.pk).update(email_message_id=message_id)
        message.email_message_id = message_id


def ticket_solved(*, ticket: Ticket, override: Override | None = None) -> None:
    _to_customer("solved", ticket, None, automatic=True, override=override)


def customer_replied(*, ticket: Ticket, message: Message,
                     override: Override | None = None) -> None:
    agent = ticket.assignee
    to = agent.email if agent else (ticket.team.email if ticket.team_id else "")
    if not to:
        return
    _to_staff("customer_reply", ticket, to, agent.language if agent else "",
              {"message": message}, override)


def ticket_assigned(*, ticket: Ticket, actor=None, override: Override | None = None) -> None:
    agent = ticket.assignee
    if agent is None or agent == actor:
        return
    _to_staff("assigned", ticket, agent.email, agent.language, {"actor": actor}, override)


def send_sign_in_link(*, customer: Customer, url: str, valid_minutes: int) -> None:
    """The customer portal's magic link, in the customer's language."""
    subject, text, html = _render("sign_in", customer.language, {
        "customer": customer, "url": url, "valid_minutes": valid_minutes})
    queue_email(kind="sign_in", to=customer.email, subject=subject, body_text=text,
                body_html=html, headers=_automatic("sign_in"), language=customer.language,
                related_key=f"customer:{customer.pk}")
