"""The one intake function every email path goes through: receive_raw.

1. Store the raw bytes as an InboundEmail (de-duplicated), so no mail is lost.
2. Parse, filter noise, thread, and write through the tickets services.
3. Anything that raises leaves the row quarantined with the error, for a retry.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.policy import compat32

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from helpdesk import outbox, versioned
from helpdesk.models import OutboundEmail

from .. import services
from ..models import Channel, InboundEmail, Message, Ticket, TicketEvent
from ..services.customers import CustomerLookup, mark_customer_bounced
from ..services.events import deferred, write_deferred
from ..services.held import held_rows, write_held
from ..services.new_ticket import EmailDetails, NewTicket
from ..services.side import add_side_reply, side_conversation_for
from ..services.tickets import open_ticket, unit
from ..services.written import messages_written, tickets_committed
from . import noise, threading
from .content import Content, store_attachments, visible_content
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


def batch_size() -> int:
    """How many mails one transaction of ``receive_batch`` takes (HELPDESK_INTAKE_BATCH)."""
    return max(1, int(getattr(settings, "HELPDESK_INTAKE_BATCH", 50)))


def receive_batch(raws: Sequence[bytes], *, source: str, esp: str = "",
                  recipients: list[str] | tuple[str, ...] = ()) -> list[IntakeResult]:
    """Many raw messages (an IMAP poll's, ``receive_many``'s) in one transaction; the
    result of each, in order, as ``receive_raw`` would have given it.

    Every question the mails ask (are they de-duplicated, did our outbox send them,
    the senders' rate, their threads, customers and organizations) is one query for
    the whole batch, the raw rows are one multi-row INSERT, and the batch is one commit;
    the after-commit work (rules, acknowledgements, webhooks) runs after it, for every
    mail. The batch is first read without a SAVEPOINT per mail; should a mail fail, it
    is rolled back and read again with one per mail, so the failing mail is rolled back
    alone and quarantined with the others committed. Should the batch itself fail (a
    concurrent delivery of the same mail, a lock, the database), nothing of it was
    committed and every mail is read again alone through ``receive_raw``. Nothing is
    durable before the commit: a caller tells its source "received" only once this
    returns (docs/email-delivery.md, docs/performance.md "Email intake").
    """
    if not raws:
        return []
    keys = [dedup_key(raw) for raw in raws]
    committed: list[bool] = []
    try:
        # First without a SAVEPOINT per mail (two statements each); should a mail fail,
        # the batch is rolled back and read again with one per mail.
        for savepoints in (False, True):
            try:
                with transaction.atomic():
                    # First of the batch's after-commit work: from here on an error is the
                    # after-commit work's, and the mail is stored.
                    marker = functools.partial(committed.append, True)
                    transaction.on_commit(marker)
                    results = _receive_batch(raws, keys, source=source, esp=esp,
                                             recipients=list(recipients), savepoints=savepoints)
                    _each_mail_after_commit(marker, [r.message for r in results if r.message])
                    return results
            except _MailFailed:
                logger.info("a mail of an intake batch failed: again, a SAVEPOINT per mail")
        raise AssertionError("a mail failed in its SAVEPOINT")  # pragma: no cover
    except Exception:
        if committed:
            raise
        logger.warning("intake batch of %d failed, reading its mail one by one", len(raws),
                       exc_info=True)
        return [receive_raw(raw, source=source, esp=esp, recipients=recipients) for raw in raws]


def _each_mail_after_commit(marker: Callable[[], None], messages: list[Message]) -> None:
    """Make the batch's after-commit work (rules, acknowledgements, webhooks, chat) one
    hook that runs each mail's in order (``_after_commit``). Every mail's runs even when
    one mail's raises: logged, as ``on_commit(robust=True)`` does, and the next one runs.
    One by one, a mail's failing receiver stopped the intake before the next mail was
    read; in a batch the next mails are committed already and their work must still run
    (docs/rules.md)."""
    connection = transaction.get_connection()
    hooks = connection.run_on_commit
    start = next(i for i, (_sids, func, _robust) in enumerate(hooks) if func is marker)
    work = [func for _sids, func, _robust in hooks[start + 1:]]
    connection.run_on_commit = [*hooks[:start + 1],
                                (hooks[start][0],
                                 functools.partial(_after_commit, work, messages), False)]


def _after_commit(work: list[Callable[[], object]], messages: list[Message]) -> None:
    """The batch's after-commit work, done for the batch where it can be: the emails it
    queues (acknowledgements, notifications) are held and written together at the end,
    one INSERT in one transaction and one task for the broker (``outbox.held``), before
    ``receive_batch`` returns; the shared versions (the rules', the webhook
    subscriptions') are read once (``versioned.steady``); the rules take the batch's
    messages as written instead of reading each (``messages_written``), and its tickets
    from one read of them all, which also tells the assignment each team's mode
    (``tickets_committed``). docs/performance.md, "Email intake", fourth and fifth rounds."""
    with (outbox.held(), versioned.steady(), messages_written(messages),
          tickets_committed({m.ticket_id for m in messages})):
        for func in work:
            try:
                func()
            except Exception:
                logger.exception("after-commit work of an intake batch failed: %r", func)


class _MailFailed(Exception):
    """A mail of a batch read without SAVEPOINTs failed: roll the batch back."""


def _receive_batch(raws: Sequence[bytes], keys: list[tuple[str, str]], *, source: str,
                   esp: str, recipients: list[str], savepoints: bool) -> list[IntakeResult]:
    existing = {row.dedup_key: row for row in
                InboundEmail.objects.filter(dedup_key__in={k for k, _ in keys})
                .select_related("ticket").defer("raw", "error")}
    results: list[IntakeResult | None] = [None] * len(raws)
    first: dict[str, int] = {}  # a key's first mail in this batch
    fresh: list[tuple[int, InboundEmail]] = []
    for index, (raw, (key, msgid)) in enumerate(zip(raws, keys, strict=True)):
        if key in existing:
            row = existing[key]
            results[index] = IntakeResult("duplicate", ticket=row.ticket, inbound=row)
        elif key not in first:
            first[key] = index
            fresh.append((index, InboundEmail(source=source, esp=esp[:40], raw=raw,
                                              dedup_key=key, email_message_id=msgid)))
    batch = _Batch([inbound for _, inbound in fresh], recipients, savepoints=savepoints)
    # Without a SAVEPOINT per mail a failing mail rolls the whole batch back, so the new
    # tickets' first messages and SLA clocks may wait for one INSERT each too
    # (tickets.services.held); read again with SAVEPOINTs, each is written at once.
    with deferred() as batch.events, held_rows() if not savepoints else nullcontext():
        for index, inbound in fresh:
            results[index] = process(inbound, recipients=recipients, batch=batch, save=False)
        write_held()
    write_deferred(batch.events)
    batch.customers.drop_unclaimed()
    # The raw rows with their outcomes, in one INSERT: the unique dedup_key still refuses
    # a mail another process stored meanwhile (and the batch is then read mail by mail).
    InboundEmail.objects.bulk_create([inbound for _, inbound in fresh])
    for index, (key, _msgid) in enumerate(keys):
        if results[index] is None:  # the same mail twice in one batch
            original = results[first[key]]
            assert original is not None and original.inbound is not None
            results[index] = IntakeResult("duplicate", ticket=original.inbound.ticket,
                                          inbound=original.inbound)
    return [r for r in results if r is not None]


class _Batch:
    """What the mails of one batch ask the database, asked once for all of them."""

    def __init__(self, inbound: list[InboundEmail], recipients: list[str], *,
                 savepoints: bool = True) -> None:
        self.savepoints = savepoints
        self.events: list[TicketEvent] = []  # the audit rows deferred so far (deferred())
        self._events_before = 0
        self._parsed: dict[int, ParsedEmail] = {}
        for item in inbound:
            try:
                self._parsed[id(item)] = parse(bytes(item.raw))
            except Exception:  # parsed again in its SAVEPOINT, and quarantined there
                logger.debug("unparsable mail in a batch", exc_info=True)
        parsed = list(self._parsed.values())
        senders = {p.from_email[:320] for p in parsed}
        ids = {p.message_id for p in parsed if p.message_id}
        self.sent, self.recent = _batch_lookups(senders, ids)
        self.seen: dict[str, int] = {}  # senders of the batch's mails read so far
        self.threads = threading.Known(parsed)
        self.customers = CustomerLookup([p.from_email for p in parsed])
        self._content: dict[int, Content] = {}
        people: dict[str, tuple[str, str, str]] = {}
        for p in parsed:
            key = p.from_email.strip().upper()
            if p.from_email and key not in people and self.customers.customers.get(key, 0) is None:
                try:
                    people[key] = (p.from_email, p.from_name, self.content(p).language)
                except Exception:  # fails again in its SAVEPOINT, and is quarantined there
                    logger.debug("mail content failed in a batch", exc_info=True)
        self.customers.reserve(people)

    def content(self, parsed: ParsedEmail) -> Content:
        found = self._content.get(id(parsed))
        if found is None:
            found = self._content[id(parsed)] = visible_content(parsed)
        return found

    def parsed(self, inbound: InboundEmail) -> ParsedEmail:
        found = self._parsed.get(id(inbound))  # kept: the content cache is keyed by its id
        return found if found is not None else parse(bytes(inbound.raw))

    def lookups(self, inbound: InboundEmail, parsed: ParsedEmail) -> tuple[bool, int]:
        """``_lookups``'s answer: the earlier mails of the batch count as stored."""
        sender = inbound.sender
        return (bool(parsed.message_id) and parsed.message_id in self.sent,
                self.recent.get(sender, 0) + self.seen.get(sender, 0))

    def count_sender(self, sender: str) -> None:
        self.seen[sender] = self.seen.get(sender, 0) + 1

    def written(self, result: IntakeResult) -> None:
        self.customers.written()
        message = result.message
        if message is not None and message.email_message_id:
            self.threads.stored_here(message.email_message_id, message.ticket_id,
                                     getattr(result.ticket, "merged_into_id", None))

    def rolled_back(self, inbound: InboundEmail) -> None:
        # The customer may have been created or renamed in the rolled-back SAVEPOINT,
        # and the mail's audit rows (deferred) go with it.
        if inbound.sender:
            self.customers.forget(inbound.sender)
        del self.events[self._events_before:]

    def started(self) -> None:
        self._events_before = len(self.events)


def _rate_window_start():
    """Since when a sender's mail counts towards the rate limit."""
    return timezone.now() - timedelta(seconds=getattr(settings, "HELPDESK_INTAKE_RATE_WINDOW", 600))


def _batch_lookups(senders: set[str], message_ids: set[str]) -> tuple[set[str], dict[str, int]]:
    """(the batch's Message-IDs our outbox sent, each sender's mail in the rate window)."""
    since = _rate_window_start()
    sent = set(OutboundEmail.objects.filter(message_id__in=message_ids)
               .values_list("message_id", flat=True)) if message_ids else set()
    recent = dict(InboundEmail.objects.filter(sender__in=senders, received_at__gte=since)
                  .order_by().values("sender").annotate(n=Count("id")).values_list("sender", "n"))
    return sent, recent


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
            sender: tuple[str, str] | None = None, batch: _Batch | None = None,
            save: bool = True) -> IntakeResult:
    inbound.attempts += 1
    if batch is not None:
        batch.started()
    try:
        # The mail's SAVEPOINT (none in a batch's first reading): the services in it
        # need none of their own.
        with unit(savepoint=batch is None or batch.savepoints):
            result = _handle(inbound, recipients, sender, batch)
    except OperationalError:
        if batch is not None:  # a lock wait, a deadlock, the connection: the batch's, not
            raise              # the mail's (receive_batch then reads its mail one by one)
        logger.exception("inbound email %s quarantined", inbound.pk)
        result = _quarantined(inbound)
    except Exception as exc:  # quarantine: kept raw, visible in the admin, retryable
        if batch is not None and not batch.savepoints:
            raise _MailFailed from exc
        logger.exception("inbound email %s quarantined", inbound.pk)
        result = _quarantined(inbound)
        if batch is not None:
            batch.rolled_back(inbound)
    else:
        if batch is not None:
            batch.written(result)
    if batch is not None:
        batch.count_sender(inbound.sender)
    inbound.status = result.status
    inbound.reason = result.reason[:255]
    inbound.ticket = result.ticket
    inbound.message = result.message
    if save:
        inbound.save(update_fields=["status", "reason", "error", "ticket", "message", "attempts",
                                    "sender", "subject"])
    result.inbound = inbound
    return result


def _quarantined(inbound: InboundEmail) -> IntakeResult:
    exc = sys.exc_info()[1]
    inbound.error = traceback.format_exc()[-10000:]
    return IntakeResult("quarantined", f"error: {type(exc).__name__}: {exc}"[:255])


def _handle(inbound: InboundEmail, recipients: list[str],
            sender: tuple[str, str] | None = None, batch: _Batch | None = None) -> IntakeResult:
    parsed = batch.parsed(inbound) if batch is not None else parse(bytes(inbound.raw))
    if sender is not None:  # released with a sender the admin chose
        parsed.from_email, parsed.from_name = sender[0], sender[1] or parsed.from_name
    inbound.sender = parsed.from_email[:320]
    inbound.subject = parsed.subject[:998]
    if noise.is_own_mail(parsed, check_outbox=False):
        return IntakeResult("skipped", "own mail")
    sent_by_us, recent = batch.lookups(inbound, parsed) if batch else _lookups(inbound, parsed)
    if sent_by_us:  # the rest of is_own_mail: a Message-ID from our outbox
        return IntakeResult("skipped", "own mail")
    kind = noise.report_kind(parsed)
    if kind:
        if kind == "bounce":
            _mark_bounced(noise.bounced_addresses(parsed), batch)
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
    ticket_id = threading.find_ticket_id(parsed, recipients, batch.threads if batch else None)
    # The service locks and loads the ticket itself: an id is all it needs.
    ticket = Ticket(pk=ticket_id) if ticket_id else None
    if automatic and ticket is None:
        return IntakeResult("skipped", "auto-reply")
    return _write(parsed, ticket, automatic, [*recipients, *parsed.recipients], batch)


def _lookups(inbound: InboundEmail, parsed: ParsedEmail) -> tuple[bool, int]:
    """(our outbox sent this Message-ID, the sender's other mail in the rate window).

    One query for two questions every message asks, written out: building it through
    the ORM (an annotated subquery and an Exists) cost more CPU than the rest of the
    statement's round trip (docs/performance.md, "Email intake"). Both use indexes:
    the outbox's unique Message-ID and the inbound (sender, received_at) index.
    """
    since = connection.ops.adapt_datetimefield_value(_rate_window_start())
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


def _mark_bounced(addresses: set[str], batch: _Batch | None = None) -> None:
    # Only customers we already know are marked: a bounce never creates anyone.
    at = timezone.now()
    for address in sorted(addresses):
        if batch is not None and batch.customers.is_unclaimed(address):
            continue  # reserved for a later mail of the batch: one by one, not yet there
        mark_customer_bounced(address=address, at=at)
        if batch is not None:  # the batch's copy of that customer is stale now
            batch.customers.stale(address)


def _write_side(parsed: ParsedEmail, side) -> IntakeResult:
    content = visible_content(parsed)
    message = add_side_reply(side=side, sender_email=parsed.from_email,
                             sender_name=parsed.from_name, body=content.text,
                             body_html=content.html, email_message_id=parsed.message_id)
    store_attachments(message, content.attachments)
    return IntakeResult("added", "side conversation", ticket=side.ticket, message=message)


def _write(parsed: ParsedEmail, ticket: Ticket | None, automatic: bool,
           addresses: list[str], batch: _Batch | None = None) -> IntakeResult:
    content = batch.content(parsed) if batch else visible_content(parsed)
    find = batch.customers.get_or_create if batch else services.get_or_create_customer
    customer = find(email=parsed.from_email, name=parsed.from_name, language=content.language)
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
