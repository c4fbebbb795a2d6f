"""Which ticket does an email belong to? The threading rules, in order."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import IntegerField, OuterRef, Subquery, Value

from helpdesk.models import OutboundEmail

from ..email_tokens import ticket_id_from_address
from ..models import Message, Ticket
from .parse import ParsedEmail


def _with_and_without_brackets(ids: list[str]) -> list[str]:
    return [*ids, *(i.strip("<>") for i in ids)]


# (ticket id, the ticket it was merged into or None): known together saves a query.
Found = tuple[int, object]
# Not known yet (a plus-address names only a number) / the ticket does not exist.
_UNKNOWN, _MISSING = object(), object()


def _ticket_column(name: str):
    return Subquery(Ticket.objects.filter(pk=OuterRef("ticket_id")).values(name)[:1])


def _message_ids(parsed: ParsedEmail) -> list[str]:
    return list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))[:50]


def _rows(keys: list[str]) -> list[tuple[str, Found, int]]:
    """``(Message-ID, found, 1 if our outbox sent it else 0)`` for stored and sent
    messages in one query (UNION ALL), sorted so that a sent id comes after a stored one,
    and of each kind the newest last: the last row of an id wins. A sent email's ticket
    id is a plain number: the ticket may be gone (_MISSING)."""
    stored = (Message.objects.filter(email_message_id__in=keys).exclude(email_message_id="")
              .order_by().annotate(live=_ticket_column("pk"), merged=_ticket_column("merged_into_id"),
                                   src=Value(0, IntegerField()))
              .values_list("email_message_id", "ticket_id", "created_at", "live", "merged", "src"))
    sent = (OutboundEmail.objects.filter(message_id__in=keys, ticket_id__isnull=False)
            .order_by().annotate(live=_ticket_column("pk"), merged=_ticket_column("merged_into_id"),
                                 src=Value(1, IntegerField()))
            .values_list("message_id", "ticket_id", "created_at", "live", "merged", "src"))
    rows = sorted(stored.union(sent, all=True).order_by(), key=lambda row: (row[5], row[2]))
    return [(msgid, (ticket_id, merged if live else _MISSING), src)
            for msgid, ticket_id, _at, live, merged, src in rows]


def _pick(ids: list[str], found) -> Found | None:
    for msgid in ids:
        hit = found.get(msgid) or found.get(msgid.strip("<>"))
        if hit and hit[0]:
            return hit
    return None


def _by_message_ids(parsed: ParsedEmail, known: Known | None = None) -> Found | None:
    ids = _message_ids(parsed)
    if not ids:
        return None
    if known is not None:
        return _pick(ids, known)
    found = {msgid: hit for msgid, hit, _src in _rows(_with_and_without_brackets(ids))}
    return _pick(ids, found)


class Known:
    """The thread questions of a batch of mails, asked in one query for all of them
    (docs/performance.md, "Email intake"), plus what the batch itself stores.

    Precedence is the one query's of a single mail: an id our outbox sent wins, then the
    newest stored message, and a message stored by an earlier mail of the batch is newer
    than any in the database. ``[HD-n]`` references are read for the whole batch too; a
    ticket the read did not find (say, opened by an earlier mail of the batch) is asked
    again alone, so the answer is the one a mail read alone gets.
    """

    def __init__(self, parsed: list[ParsedEmail]) -> None:
        ids = list(dict.fromkeys(i for p in parsed for i in _message_ids(p)))
        self.sent: dict[str, Found] = {}
        self.stored: dict[str, Found] = {}
        self.here: dict[str, Found] = {}
        if ids:
            for msgid, hit, src in _rows(_with_and_without_brackets(ids)):
                (self.sent if src else self.stored)[msgid] = hit
        refs = {r for p in parsed if (r := _subject_reference(p))}
        self.tickets: dict[int, tuple[object, str]] = {
            pk: (merged, email or "") for pk, merged, email in
            Ticket.objects.filter(pk__in=refs).values_list("pk", "merged_into_id", "customer__email")
        } if refs else {}

    def get(self, msgid: str) -> Found | None:
        return self.sent.get(msgid) or self.here.get(msgid) or self.stored.get(msgid)

    def stored_here(self, msgid: str, ticket_id: int, merged_into: object) -> None:
        if msgid:
            self.here[msgid] = (ticket_id, merged_into)

    def by_subject_reference(self, parsed: ParsedEmail) -> Found | None:
        ticket_id = _subject_reference(parsed)
        if not ticket_id:
            return None
        row = self.tickets.get(ticket_id)
        sender = parsed.from_email
        if row is None or not (sender.isascii() and row[1].isascii()):
            # Not read for the batch, or a comparison only the database makes alike.
            return _by_subject_reference(parsed)
        # ``iexact``: UPPER() on PostgreSQL, LIKE on SQLite: alike for ASCII.
        return (ticket_id, row[0]) if row[1].upper() == sender.upper() else None


def by_message_ids(parsed: ParsedEmail) -> int | None:
    """In-Reply-To first, then References newest first, against messages stored or sent."""
    hit = _by_message_ids(parsed)
    return hit[0] if hit else None


def by_reply_address(parsed: ParsedEmail, extra: list[str]) -> int | None:
    for address in [*extra, *parsed.recipients]:
        ticket_id = ticket_id_from_address(address)
        if ticket_id:
            return ticket_id
    return None


def _subject_reference(parsed: ParsedEmail) -> int | None:
    prefix = re.escape(settings.HELPDESK_TICKET_PREFIX)
    match = re.search(rf"\[\s*({prefix}-\d+)\s*\]", parsed.subject, re.IGNORECASE)
    if not match or not parsed.from_email:
        return None
    return Ticket.parse_reference(match.group(1)) or None


def _by_subject_reference(parsed: ParsedEmail) -> Found | None:
    ticket_id = _subject_reference(parsed)
    if not ticket_id:
        return None
    row = (Ticket.objects.filter(pk=ticket_id, customer__email__iexact=parsed.from_email)
           .values_list("pk", "merged_into_id").first())
    return tuple(row) if row else None


def by_subject_reference(parsed: ParsedEmail) -> int | None:
    """[HD-1042] in the subject, honoured only for that ticket's own customer."""
    hit = _by_subject_reference(parsed)
    return hit[0] if hit else None


def find_ticket_id(parsed: ParsedEmail, recipients: list[str] | None = None,
                   known: Known | None = None) -> int | None:
    """The id of the ticket the email continues (after merges), or None.

    Usually one query: the rule that matches also tells whether the ticket was
    merged; only a merged ticket or a plus-address costs a query more.
    """
    hit = _by_message_ids(parsed, known)
    if hit is None:
        ticket_id = by_reply_address(parsed, recipients or [])
        if ticket_id:
            hit = (ticket_id, _UNKNOWN)
        else:
            hit = known.by_subject_reference(parsed) if known else _by_subject_reference(parsed)
    if hit is None:
        return None
    ticket_id, merged_into = hit
    # A merged ticket's conversation continues in the ticket it was merged into.
    seen: set[int] = set()
    while ticket_id is not None and ticket_id not in seen:
        if merged_into is _MISSING:
            return None
        if merged_into is _UNKNOWN:
            row = Ticket.objects.filter(pk=ticket_id).values_list("merged_into_id").first()
            if row is None:
                return None
            merged_into = row[0]
        if not merged_into:
            return ticket_id
        seen.add(ticket_id)
        ticket_id, merged_into = merged_into, _UNKNOWN
    return ticket_id


def find_ticket(parsed: ParsedEmail, recipients: list[str] | None = None) -> Ticket | None:
    ticket_id = find_ticket_id(parsed, recipients)
    return Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
