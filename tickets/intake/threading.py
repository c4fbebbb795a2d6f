"""Which ticket does an email belong to? The threading rules, in order."""

from __future__ import annotations

import re

from django.conf import settings

from helpdesk.models import OutboundEmail

from ..email_tokens import ticket_id_from_address
from ..models import Message, Ticket
from .parse import ParsedEmail


def _with_and_without_brackets(ids: list[str]) -> list[str]:
    return [*ids, *(i.strip("<>") for i in ids)]


def by_message_ids(parsed: ParsedEmail) -> int | None:
    """In-Reply-To first, then References newest first, against messages stored or sent."""
    ids = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))[:50]
    if not ids:
        return None
    keys = _with_and_without_brackets(ids)
    found = dict(
        Message.objects.filter(email_message_id__in=keys).exclude(email_message_id="")
        .order_by("created_at").values_list("email_message_id", "ticket_id")
    )
    found.update(
        OutboundEmail.objects.filter(message_id__in=keys, ticket_id__isnull=False)
        .values_list("message_id", "ticket_id")
    )
    for msgid in ids:
        ticket_id = found.get(msgid) or found.get(msgid.strip("<>"))
        if ticket_id:
            return ticket_id
    return None


def by_reply_address(parsed: ParsedEmail, extra: list[str]) -> int | None:
    for address in [*extra, *parsed.recipients]:
        ticket_id = ticket_id_from_address(address)
        if ticket_id:
            return ticket_id
    return None


def by_subject_reference(parsed: ParsedEmail) -> int | None:
    """[HD-1042] in the subject, honoured only for that ticket's own customer."""
    prefix = re.escape(settings.HELPDESK_TICKET_PREFIX)
    match = re.search(rf"\[\s*({prefix}-\d+)\s*\]", parsed.subject, re.IGNORECASE)
    if not match or not parsed.from_email:
        return None
    ticket_id = Ticket.parse_reference(match.group(1))
    if ticket_id and Ticket.objects.filter(
        pk=ticket_id, customer__email__iexact=parsed.from_email
    ).exists():
        return ticket_id
    return None


def find_ticket(parsed: ParsedEmail, recipients: list[str] | None = None) -> Ticket | None:
    ticket_id = (by_message_ids(parsed) or by_reply_address(parsed, recipients or [])
                 or by_subject_reference(parsed))
    if not ticket_id:
        return None
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    # A merged ticket's conversation continues in the ticket it was merged into.
    seen = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    return ticket
