"""The one intake function every email path goes through: receive_raw.

1. Store the raw bytes as an InboundEmail (de-duplicated), so no mail is lost.
2. Parse, filter noise, thread, and write through the tickets services.
3. Anything that raises leaves the row quarantined with the error, for a retry.
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import timedelta
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.policy import compat32

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from helpdesk.models import OutboundEmail

from .. import services
from ..models import Channel, InboundEmail, Message, Ticket
from ..services.customers import mark_customer_bounced
from ..services.new_ticket import EmailDetails, NewTicket
from ..services.side import add_side_reply, side_conversation_for
from ..services.tickets import open_ticket
from . import noise, threading
from .content import store_attachments, visible_content
from .parse import ParsedEmail, parse

logger = logging.getLogger(__name__)
Status = InboundEmail.Status


@dataclass
class IntakeResult:
    status: str  # created / added / skipped / quarantined / duplicate
    reason: str = ""
    ticket: Ticket | None = None
    message: Message | None = None
    inbound: InboundEmail | None = None

    def __str__(self) -> str:
        ref = self.ticket.reference if self.ticket else "-"
        return f"{ref} {self.status} {self.reason}".rstrip()


_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]{1,240}>)",
                         re.IGNORECASE | re.MULTILINE)


def dedup_key(raw: bytes) -> tuple[str, str]:
    """(key, Message-ID) deciding which deliveries are retries of one message.

    Without a Message-ID only byte-identical mail is a retry (a digest of the
    bytes). With one, the key also covers the sender, subject and body
    (``content_digest``): a retry that a relay re-wrapped (extra Received
    headers, a rebuilt MIME tree) still matches, while a *different* message
    that reuses a Message-ID gets a key of its own and is processed, never
    dropped as a "duplicate". See docs/email-delivery.md.
    """
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0),
              default=len(raw))
    match = _MESSAGE_ID.search(raw, 0, min(end, 1_000_000))
    if match:
        msgid = match.group(1).decode("ascii", "replace")
        digest = hashlib.sha256(msgid.encode() + b"\0" + content_digest(raw).encode())
        return f"mid:{digest.hexdigest()}", msgid
    return f"sha256:{hashlib.sha256(raw).hexdigest()}", ""


def _header_text(value) -> str:
    """A header as the reader sees it: encoded words decoded, folding undone."""
    try:
        text = str(make_header(decode_header(str(value))))
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        text = str(value)
    return " ".join(text.split())


def content_digest(raw: bytes) -> str:
    """SHA-256 of what a person would call "the same email": From, Subject and each
    leaf part's type and decoded payload. Transport encoding, MIME boundaries,
    header folding and trace headers do not count. The lenient compat32 parser
    records defects instead of raising, so this never fails on bad mail."""
    message = BytesParser(policy=compat32).parsebytes(raw)
    digest = hashlib.sha256()
    for name in ("From", "Subject"):
        digest.update(_header_text(message.get(name, "")).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
        digest.update(part.get_content_type().encode() + b"\0")
        digest.update(payload.replace(b"\r\n", b"\n").strip() + b"\0")
    return digest.hexdigest()


def receive_raw(raw: bytes, *, source: str, esp: str = "",
                recipients: list[str] | tuple[str, ...] = ()) -> IntakeResult:
    """Take one raw RFC 822 message from any path; never raises for bad mail."""
    key, msgid = dedup_key(raw)
    try:
        # One transaction per message: the raw row and its outcome commit together
        # (a crash before commit means the sender was never told "received" and
        # delivers again). The unique dedup_key makes a second delivery fail here.
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                source=source, esp=esp[:40], raw=raw, dedup_key=key, email_message_id=msgid)
            return process(inbound, recipients=list(recipients))
    except IntegrityError:
        existing = (InboundEmail.objects.filter(dedup_key=key).select_related("ticket")
                    .defer("raw", "error").first())
        if existing is None:  # not a duplicate after all: let the caller see the error
            raise
        return IntakeResult("duplicate", ticket=existing.ticket, inbound=existing)


def retry(inbound: InboundEmail) -> IntakeResult:
    """Process a stored (usually quarantined) message again, e.g. after a fix."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status in (Status.CREATED, Status.ADDED):
            return IntakeResult("duplicate", inbound=inbound, ticket=inbound.ticket,
                                message=inbound.message)
        return process(inbound, recipients=[])


def release(inbound: InboundEmail, *, email: str, name: str = "") -> IntakeResult:
    """Process a quarantined message again as if ``email`` (and ``name``) had sent it: the
    admin's way out for mail without a usable sender (docs/email-delivery.md)."""
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status != Status.QUARANTINED:
            return IntakeResult("duplicate", inbound=inbound, ticket=inbound.ticket,
                                message=inbound.message)
        return process(inbound, recipients=[], sender=(email.strip(), name.strip()))


def process(inbound: InboundEmail, *, recipients: list[str],
            sender: tuple[str, str] | None = None) -> IntakeResult:
    inbound.attempts += 1
    try:
        with transaction.atomic():
            result = _handle(inbound, recipients, sender)
    except Exception as exc:  # quarantine: kept raw, visible in the admin, retryable
        logger.exception("inbound email %s quarantined", inbound.pk)
        result = IntakeResult("quarantined", f"error: {type(exc).__name__}: {exc}"[:255])
        inbound.error = traceback.format_exc()[-10000:]
    inbound.status = result.status
    inbound.reason = result.reason[:255]
    inbound.ticket = result.ticket
    inbound.message = result.message
    inbound.save(update_fields=["status", "reason", "error", "ticket", "message", "attempts",
                                "sender", "subject"])
    result.inbound = inbound
    return result


def _handle(inbound: InboundEmail, recipients: list[str],
            sender: tuple[str, str] | None = None) -> IntakeResult:
    parsed = parse(bytes(inbound.raw))
    if sender is not None:  # released with a sender the admin chose
        parsed.from_email, parsed.from_name = sender[0], sender[1] or parsed.from_name
    inbound.sender = parsed.from_email[:320]
    inbound.subject = parsed.subject[:998]
    if noise.is_own_mail(parsed, check_outbox=False):
        return IntakeResult("skipped", "own mail")
    sent_by_us, recent = _lookups(inbound, parsed)
    if sent_by_us:  # the rest of is_own_mail: a Message-ID from our outbox
        return IntakeResult("skipped", "own mail")
    kind = noise.report_kind(parsed)
    if kind:
        if kind == "bounce":
            _mark_bounced(noise.bounced_addresses(parsed))
        return IntakeResult("skipped", kind)
    if not parsed.from_email:
        return IntakeResult("quarantined", "no sender address")
    if recent >= getattr(settings, "HELPDESK_INTAKE_RATE_LIMIT", 20):
        return IntakeResult("skipped", "rate limited")
    automatic = noise.is_automatic(parsed)
    # An answer to a side conversation (a forward) becomes a note, never a customer message.
    side = side_conversation_for(subject=parsed.subject,
                                 message_ids=[*parsed.in_reply_to, *parsed.references])
    if side is not None:
        return _write_side(parsed, side) if not automatic else IntakeResult("skipped", "auto-reply")
    ticket_id = threading.find_ticket_id(parsed, recipients)
    # The service locks and loads the ticket itself: an id is all it needs.
    ticket = Ticket(pk=ticket_id) if ticket_id else None
    if automatic and ticket is None:
        return IntakeResult("skipped", "auto-reply")
    return _write(parsed, ticket, automatic, [*recipients, *parsed.recipients])


def _lookups(inbound: InboundEmail, parsed: ParsedEmail) -> tuple[bool, int]:
    """(our outbox sent this Message-ID, the sender's other mail in the rate window).

    One query for two questions every message asks, written out: building it through
    the ORM (an annotated subquery and an Exists) cost more CPU than the rest of the
    statement's round trip (docs/performance.md, "Email intake"). Both use indexes:
    the outbox's unique Message-ID and the inbound (sender, received_at) index.
    """
    window = timedelta(seconds=getattr(settings, "HELPDESK_INTAKE_RATE_WINDOW", 600))
    since = connection.ops.adapt_datetimefield_value(timezone.now() - window)
    # Table names from the models; every value is a bound parameter.
    recent = (f"SELECT COUNT(*) FROM {InboundEmail._meta.db_table}"  # noqa: S608
              " WHERE sender = %s AND received_at >= %s AND id <> %s")
    params: list = [inbound.sender, since, inbound.pk]
    if parsed.message_id:
        sent = f"EXISTS(SELECT 1 FROM {OutboundEmail._meta.db_table} WHERE message_id = %s)"  # noqa: S608
        params.insert(0, parsed.message_id)
    else:
        sent = "0 = 1"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sent}, ({recent})", params)
        row = cursor.fetchone()
    return bool(row[0]), int(row[1] or 0)


def _mark_bounced(addresses: set[str]) -> None:
    # Only customers we already know are marked: a bounce never creates anyone.
    at = timezone.now()
    for address in sorted(addresses):
        mark_customer_bounced(address=address, at=at)


def _write_side(parsed: ParsedEmail, side) -> IntakeResult:
    content = visible_content(parsed)
    message = add_side_reply(side=side, sender_email=parsed.from_email,
                             sender_name=parsed.from_name, body=content.text,
                             body_html=content.html, email_message_id=parsed.message_id)
    store_attachments(message, content.attachments)
    return IntakeResult("added", "side conversation", ticket=side.ticket, message=message)


def _write(parsed: ParsedEmail, ticket: Ticket | None, automatic: bool,
           addresses: list[str]) -> IntakeResult:
    content = visible_content(parsed)
    customer = services.get_or_create_customer(
        email=parsed.from_email, name=parsed.from_name, language=content.language)
    email = EmailDetails(
        body_html=content.html, quoted_text=content.quoted, message_id=parsed.message_id,
        in_reply_to=" ".join(parsed.in_reply_to)[:998], references=" ".join(parsed.references),
    )
    if ticket is None:
        # The addresses it was sent to choose the team (ReceivingAddress, docs/teams.md).
        ticket, message = open_ticket(NewTicket(
            subject=parsed.subject, body=content.text, customer=customer, channel=Channel.EMAIL,
            addresses=tuple(addresses), is_automatic=automatic, email=email))
        status = "created"
    else:
        message = services.add_customer_message(
            ticket=ticket, customer=customer, channel=Channel.EMAIL, body=content.text,
            is_automatic=automatic, body_html=email.body_html, quoted_text=email.quoted_text,
            email_message_id=email.message_id, in_reply_to=email.in_reply_to,
            references=email.references)
        status = "created" if message.ticket_id != ticket.pk else "added"
        ticket = message.ticket
    store_attachments(message, content.attachments)
    return IntakeResult(status, "auto-reply" if automatic else "", ticket=ticket, message=message)
