"""Side conversations: forward a ticket, or one message of it, to any address; the
answers come back as internal notes on the ticket and never reach the customer
(docs/replies.md).

The email we send carries the conversation's token twice: ``[#SC-<token>]`` in the
subject and ``<sc.<token>.…@domain>`` as its Message-ID. The outbox row has no
ticket id, so ordinary threading (tickets.intake.threading) never turns an answer
into a customer message; intake asks ``side_conversation_for`` first.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.outbox import queue_email

from .. import policy
from ..email_tokens import _support_address
from ..models import Message, SideConversation, Ticket
from ..replies import formatting
from ..replies.addresses import parse_addresses
from ..replies.files import outbox_files
from ..signals import message_added
from .events import record_event
from .tickets import reply_to_ticket

_SUBJECT_TOKEN = re.compile(r"\[#SC-([0-9a-f]{8,24})\]", re.IGNORECASE)
_MSGID_TOKEN = re.compile(r"<?sc\.([0-9a-f]{8,24})\.", re.IGNORECASE)


def _message_id(token: str) -> str:
    local, domain = _support_address()
    return f"<sc.{token}.{secrets.token_hex(8)}@{domain or 'localhost'}>"


def _forwarded(ticket: Ticket, message: Message | None) -> list[Message]:
    if message is not None:
        return [message]
    return list(ticket.messages.filter(public=True).exclude(author_type=Message.Author.SYSTEM)
                .select_related("author_user", "author_customer").prefetch_related("attachments")
                .order_by("created_at", "pk"))


@transaction.atomic
def forward_ticket(*, ticket: Ticket, agent: User, to: str, body: str = "",
                   message: Message | None = None, now: datetime | None = None) -> SideConversation:
    """Send the ticket's public thread (or ``message``) to ``to`` with the agent's words.

    An internal note records what was sent; the customer is not told.
    """
    policy.check(agent, policy.Action.REPLY, ticket)
    addresses = parse_addresses(to, field="to")
    if len(addresses) != 1:
        raise ValidationError({"to": _("Enter one email address.")}, code="invalid")
    if message is not None and (message.ticket_id != ticket.pk):
        raise ValidationError({"message": _("That message is not on this ticket.")})
    now = now or timezone.now()
    side = SideConversation.objects.create(
        ticket=ticket, to=addresses[0], subject=f"Fwd: [{ticket.reference}] {ticket.subject}"[:255],
        forwarded_message=message, created_by=agent, created_at=now)
    intro = formatting.render(body or "")
    thread = _forwarded(ticket, message)
    note = reply_to_ticket(
        ticket=ticket, agent=agent, public=False, now=now,
        body=_("Forwarded to %(to)s (%(tag)s).") % {"to": side.to, "tag": side.subject_tag}
        + (f"\n\n{intro.text}" if intro.text else ""))
    Message.objects.filter(pk=note.pk).update(side_conversation=side)
    record_event(ticket=ticket, field="forwarded", new=side.to, actor=agent, at=now)
    _queue(side, agent, intro, thread)
    return side


def _queue(side: SideConversation, agent: User, intro: formatting.Body,
           thread: list[Message]) -> None:
    language = agent.language or settings.LANGUAGE_CODE
    # One forwarded message travels with its files; a whole ticket lists them only.
    files = list(thread[0].attachments.all()) if side.forwarded_message_id else []
    with translation.override(language):
        context = {"side": side, "intro": intro, "thread": thread, "agent": agent,
                   "ticket": side.ticket, "brand_name": settings.HELPDESK_BRAND_NAME,
                   "language": language}
        text = render_to_string("tickets/email/side_conversation.txt", context)
        html = render_to_string("tickets/email/side_conversation.html", context)
    local, domain = _support_address()
    queue_email(kind="side_conversation", to=side.to, subject=f"{side.subject_tag} {side.subject}",
                body_text=text, body_html=html, message_id=_message_id(side.token),
                reply_to=f"{local}@{domain}", language=language,
                related_key=f"side:{side.pk}", attachments=outbox_files(files))


def side_conversation_for(*, subject: str, message_ids: list[str]) -> SideConversation | None:
    """The side conversation an incoming email answers, by Message-ID or subject token."""
    tokens = [m.group(1).lower() for mid in message_ids if (m := _MSGID_TOKEN.match(mid.strip()))]
    match = _SUBJECT_TOKEN.search(subject or "")
    if match:
        tokens.append(match.group(1).lower())
    if not tokens:
        return None
    return (SideConversation.objects.select_related("ticket").filter(token__in=tokens)
            .order_by("-created_at").first())


@transaction.atomic
def add_side_reply(*, side: SideConversation, sender_email: str, sender_name: str, body: str,
                   body_html: str = "", email_message_id: str = "",
                   now: datetime | None = None) -> Message:
    """The answer as an internal note on the ticket, shown as from its writer."""
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=side.ticket_id)
    message = Message.objects.create(
        ticket=ticket, author_type=Message.Author.EXTERNAL, public=False,
        channel="email", body_text=body or "", body_html=body_html, created_at=now,
        sender_email=sender_email[:320], sender_name=sender_name[:200],
        side_conversation=side, email_message_id=email_message_id[:255])
    ticket.updated_at = now
    ticket.save(update_fields=["updated_at"])
    record_event(ticket=ticket, field="side_reply", new=sender_email, at=now)
    transaction.on_commit(lambda: message_added.send(
        sender=Ticket, ticket_id=ticket.pk, message_id=message.pk,
        author_type=message.author_type, public=False))
    return message
