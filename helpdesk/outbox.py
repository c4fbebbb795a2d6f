"""The outbox: emails are rows written with the change that causes them.

``queue_email`` writes the row inside the caller's transaction and asks Celery,
after commit, to send it. If the broker is down the row simply waits for the
sweeper (``sweep``, run every minute by ``helpdesk.tasks.sweep_outbox``).

Delivery is *at least once*, with the row's Message-ID as the idempotency key
(docs/email-delivery.md explains the whole guarantee):

- The Message-ID is fixed when the row is written and sent unchanged on every
  attempt, with the row id in anymail's metadata, so a second copy is the same
  message to the recipient's mail system and to our tracking.
- A sender claims the row with a lease (QUEUED → SENDING, ``claimed_at``,
  ``attempts`` + 1) by one conditional UPDATE; only the claimer sends.
- An exception from the backend means the ESP did not take the message: the row
  goes back to QUEUED with exponential backoff, up to MAX_ATTEMPTS.
- Success is recorded with retries, so a database restart right after the send
  does not leave a delivered row looking unsent.
- A row still SENDING when its lease runs out belonged to a sender that died. If
  an ESP tracking event already names it, it was sent (recorded as SENT);
  otherwise it is sent again, same Message-ID.
- Tracking events for a row not yet recorded as sent record it as sent, and the
  admin's retry refuses rows that tracking shows the ESP received.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email.message import MIMEPart
from email.utils import make_msgid
from typing import NamedTuple

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 6 * 3600
# The on-commit task normally sends a row within seconds; the sweeper leaves
# rows younger than this alone so it does not race every fresh row.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_BATCH = 500
# Recording a successful send survives a database restart of about this long.
RECORD_RETRY_DELAYS = (0.5, 1, 2, 4, 8, 15, 30)
DEFAULT_TYPE = "application/octet-stream"


def lease() -> timedelta:
    """How long a claim lasts. A sender still sending after this is presumed dead;
    it must exceed the mail backend's own timeout by a wide margin."""
    return timedelta(seconds=settings.HELPDESK_OUTBOX_LEASE_SECONDS)


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].rstrip(">").strip() or "localhost"
    return make_msgid(domain=domain)


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    reply_to: str = "",
    from_email: str = "",
    message_id: str = "",
    language: str = "",
    ticket_id: int | None = None,
    related_key: str = "",
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Write one email to send. ``attachments``: files in the default storage as
    ``{"path", "filename", "content_type", "content_id"}`` (content_id for inline images).

    Inside ``held()`` the row is built, its Message-ID fixed, and kept to be written
    with the block's others (it has no pk until then)."""
    email = OutboundEmail(
        cc=list(cc or []), bcc=list(bcc or []), attachments=list(attachments or []),
        kind=kind,
        to=to,
        subject=subject.replace("\n", " ").replace("\r", " ")[:998],
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        reply_to=reply_to,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        message_id=message_id or new_message_id(),
        language=language,
        ticket_id=ticket_id,
        related_key=related_key,
    )
    held = _HELD.get()
    if held is not None and len(connection.atomic_blocks) == held[1]:
        held[0].append(email)
        return email
    email.save(force_insert=True)
    transaction.on_commit(lambda: enqueue(email.pk))
    return email


# Inside ``held()``: the rows queue_email would have written, written together later, and
# how many transactions were open when the block began.
_HELD: ContextVar[tuple[list[OutboundEmail], int] | None] = ContextVar("outbox_held",
                                                                      default=None)


@contextmanager
def held() -> Iterator[list[OutboundEmail]]:
    """The rows ``queue_email`` writes in this block, written together when it ends: one
    multi-row INSERT in one transaction and one task for the broker, instead of a
    transaction and a task per email. The email intake holds a batch's after-commit
    work (acknowledgements, notifications) this way (docs/performance.md, "Email
    intake"); the rows are in the outbox before the block is left.

    Only an email queued in the transaction the block began in is held: one queued in a
    transaction opened inside it is written in that transaction as before, since that
    transaction may be rolled back. To hold such a transaction's emails (a rule's
    action), open a nested block inside it: its rows join the enclosing block's when
    it ends normally and are dropped when it raises. Should the INSERT fail, each row
    is written alone, so one bad row loses no other."""
    outer = _HELD.get()
    rows: list[OutboundEmail] = []
    token = _HELD.set((rows, len(connection.atomic_blocks)))
    try:
        yield rows
    finally:
        _HELD.reset(token)
    if outer is not None:
        outer[0].extend(rows)
    else:
        write_held(rows)


def holding() -> bool:
    """Inside ``held()``: queue_email keeps its rows for now."""
    return _HELD.get() is not None


def write_held(rows: list[OutboundEmail]) -> list[int]:
    """Write ``held()``'s rows (one INSERT, one transaction) and hand their ids to the
    broker in one task after commit; the ids written."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            OutboundEmail.objects.bulk_create(rows)
            ids = [email.pk for email in rows]
            transaction.on_commit(lambda: enqueue_many(ids))
        return ids
    except Exception:
        logger.exception("writing %d held outbound emails failed; writing each alone", len(rows))
    ids = []
    for email in rows:
        email.pk = None
        try:
            with transaction.atomic():
                email.save(force_insert=True)
        except Exception:
            logger.exception("outbound email to %s (%s) could not be written", email.to,
                             email.kind)
            continue
        ids.append(email.pk)
    if ids:
        transaction.on_commit(lambda: enqueue_many(ids))
    return ids


def enqueue(email_id: int) -> bool:
    """Hand the row to a Celery worker; False when the broker is unreachable."""
    from .tasks import send_outbound_email

    try:
        send_outbound_email.delay(email_id)
    except Exception:  # broker down (kombu OperationalError and friends): the sweeper sends it
        logger.warning("could not enqueue outbound email %s; the sweeper will", email_id)
        return False
    return True


# Emails per task of ``enqueue_many``: a batch's 50 acknowledgements in one task would be
# sent one after another by one worker (the last seconds after the first); in tasks of
# ten the worker pool sends them side by side, and the broker still gets a fifth of the
# messages.
TASK_CHUNK = 10


def enqueue_many(email_ids: list[int]) -> bool:
    """Hand many rows to Celery workers, ``TASK_CHUNK`` per message
    (``send_outbound_emails``); False when the broker is unreachable (the sweeper sends
    what was not handed over)."""
    from .tasks import send_outbound_emails

    if len(email_ids) == 1:
        return enqueue(email_ids[0])
    for start in range(0, len(email_ids), TASK_CHUNK):
        chunk = list(email_ids[start:start + TASK_CHUNK])
        try:
            send_outbound_emails.delay(chunk)
        except Exception:  # broker down: the sweeper sends them
            logger.warning("could not enqueue %d outbound emails; the sweeper will",
                           len(email_ids) - start)
            return False
    return True


def warm_up() -> None:
    """Build, connecting to nothing, what the first task handed to the broker builds in a
    process: the Celery app's task registry, its result backend (found by an entry-point
    scan) and the broker transport's class. About 0.25 s of CPU on the first batch of
    each of the email intake's forked workers, which inherit it from the parent that
    calls this before forking (tickets.intake.parallel.warm_up)."""
    from .celery import app
    from .tasks import send_outbound_emails

    app.finalize(auto=True)
    send_outbound_emails.backend  # noqa: B018 (loads the backend's class)
    connection = app.connection_for_write()
    try:
        connection.transport  # noqa: B018 (imports the transport; does not connect)
    finally:
        connection.release()


def backoff(attempts: int) -> timedelta:
    """Wait before try number ``attempts + 1``: 30 s, 1 min, 2 min, … capped at 6 h."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                 BACKOFF_MAX_SECONDS))


def claim(email_id: int, *, now: datetime | None = None) -> bool:
    """Take the row for sending; False when another worker has it, it was sent, or it is
    waiting out a backoff. The single UPDATE is atomic, so of two racing workers only
    one sees a matched row."""
    now = now or timezone.now()
    return bool(
        OutboundEmail.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk=email_id, status=Status.QUEUED, sent_at=None,
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def deliver(email: OutboundEmail) -> str:
    """Send one claimed row through the default mailer (anymail in production).

    Returns the ESP's message id when the backend reports one.
    """
    headers = {**email.headers, "Message-ID": email.message_id}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[email.reply_to] if email.reply_to else None,
        headers=headers,
        cc=email.cc or None,
        bcc=email.bcc or None,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    _attach_files(message, email.attachments)
    # anymail passes metadata to the ESP, which echoes it in tracking events: the
    # tracking receiver matches on it when the ESP's own message id is unknown.
    message.metadata = {"outbound_email_id": str(email.pk), "message_id": email.message_id}
    message.send()
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", None) or "")


def _attach_files(message: EmailMultiAlternatives, files: list[dict]) -> None:
    """Real MIME parts for the row's stored files; inline images carry their Content-ID
    so the HTML part's ``cid:`` references show them."""
    for item in files:
        with default_storage.open(item["path"], "rb") as handle:
            data = handle.read()
        maintype, _, subtype = (item.get("content_type") or DEFAULT_TYPE).partition("/")
        if item.get("content_id") and maintype == "image":
            part = MIMEPart()
            part.set_content(data, maintype="image", subtype=subtype or "png",
                             disposition="inline", filename=item["filename"],
                             cid=f"<{item['content_id']}>")
            message.attach(part)
        else:
            message.attach(item["filename"], data, item.get("content_type") or DEFAULT_TYPE)


def send_one(email_id: int, *, now: datetime | None = None) -> bool:
    """Claim, send and record one row. True when this call sent it."""
    if not claim(email_id, now=now):
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        esp_id = deliver(email)
    except Exception as exc:  # the backend raised: the ESP did not take the message
        record_failure(email, exc)
        return False
    record_sent(email_id, esp_message_id=esp_id)
    return True


def send_many(email_ids: list[int], *, now: datetime | None = None) -> int:
    """``send_one`` for each row, in order; how many this call sent. One row's error
    (the database between two rows) is logged and the next row is still sent: a row
    left queued is the sweeper's."""
    sent = 0
    for email_id in email_ids:
        try:
            sent += send_one(email_id, now=now)
        except Exception:
            logger.exception("sending outbound email %s failed; the sweeper will", email_id)
    return sent


def record_sent(email_id: int, *, esp_message_id: str = "", at: datetime | None = None,
                note: str = "") -> None:
    """Mark the row sent; the mail is already out, so try hard to write that down.

    A database restart between the send and this write used to leave a delivered
    row looking unsent. Each failed try drops the broken connection (outside a
    transaction) and waits a little longer; only then does the error escape, and
    the lease sweep settles the row from tracking events or sends it again.
    """
    for delay in (*RECORD_RETRY_DELAYS, None):
        try:
            _write_sent(email_id, esp_message_id, at or timezone.now(), note)
            return
        except (OperationalError, InterfaceError) as exc:
            if delay is None:
                logger.error("outbound email %s was sent but could not be recorded: %r",
                             email_id, exc)
                raise
            logger.warning("outbound email %s sent; recording it failed (%r), retrying in %ss",
                           email_id, exc, delay)
            if not connection.in_atomic_block:
                connection.close()
            time.sleep(delay)


def _write_sent(email_id: int, esp_message_id: str, at: datetime, note: str) -> None:
    fields = {"status": Status.SENT, "sent_at": Coalesce(F("sent_at"), Value(at)),
              "last_error": note, "next_attempt_at": None}
    if esp_message_id:
        fields["esp_message_id"] = esp_message_id[:255]
    OutboundEmail.objects.filter(pk=email_id).update(**fields)


def record_failure(email: OutboundEmail, exc: Exception) -> None:
    """The attempt (counted at claim) failed before the ESP took the message."""
    attempts = email.attempts
    failed = attempts >= MAX_ATTEMPTS
    # Only our own claim: after a lease ran out the row may be another sender's by now.
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING,
                                 claimed_at=email.claimed_at).update(
        status=Status.FAILED if failed else Status.QUEUED,
        last_error=repr(exc)[:2000],
        next_attempt_at=None if failed else timezone.now() + backoff(attempts),
    )
    if failed:
        logger.error("giving up on outbound email %s after %s attempts: %r", email.pk, attempts, exc)
    else:
        logger.warning("outbound email %s failed (attempt %s): %r", email.pk, attempts, exc)


def has_left(email: OutboundEmail) -> bool:
    """The ESP has this message: it returned an id for it, or a tracking event named it."""
    return bool(email.esp_message_id) or email.delivery != OutboundEmail.Delivery.UNKNOWN


def settle_expired_leases(*, now: datetime) -> tuple[int, int]:
    """Rows whose sender died mid-send: (recorded as sent from tracking, queued again)."""
    expired = OutboundEmail.objects.filter(status=Status.SENDING, sent_at=None,
                                           claimed_at__lt=now - lease())
    evidence = Q(esp_message_id__gt="") | ~Q(delivery=OutboundEmail.Delivery.UNKNOWN)
    sent = expired.filter(evidence).update(
        status=Status.SENT, sent_at=Coalesce(F("delivery_at"), F("claimed_at")),
        next_attempt_at=None,
        last_error="The sender stopped before recording the send; the ESP's tracking shows "
                   "it received the email, so it is recorded as sent.")
    stopped = ("The sender stopped while sending (its lease ran out); sent again with the "
               "same Message-ID.")
    given_up = expired.exclude(evidence).filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, next_attempt_at=None, last_error=stopped)
    requeued = expired.exclude(evidence).filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Status.QUEUED, next_attempt_at=now, last_error=stopped)
    if sent or requeued or given_up:
        logger.warning("outbox leases expired: %s recorded as sent, %s queued again, %s failed",
                       sent, requeued, given_up)
    return sent, requeued


def sweep(*, now: datetime | None = None) -> list[int]:
    """Find rows whose task never ran (broker down) or whose backoff is over, and
    send them; return their ids. Sending goes through the same claim, so a sweep
    racing a worker or another sweep never sends a row twice."""
    now = now or timezone.now()
    settle_expired_leases(now=now)
    due = (
        OutboundEmail.objects.filter(status=Status.QUEUED)
        # A fresh row is its on-commit task's; a retry is due when its backoff is over.
        .filter(Q(next_attempt_at__isnull=True, created_at__lt=now - SWEEP_GRACE)
                | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ids = list(due)
    for email_id in ids:
        if not enqueue(email_id):
            send_one(email_id, now=now)  # broker still down: send from here
    return ids


class Retried(NamedTuple):
    queued: int
    already_sent: int


def retry_now(*, email_ids: list[int]) -> Retried:
    """Put failed rows back in the queue (an admin action): they are sent at once.

    A failed row that the ESP reported on (tracking) did go out: it is recorded as
    sent instead of being sent a second time.
    """
    rows = OutboundEmail.objects.filter(pk__in=email_ids, status=Status.FAILED, sent_at=None)
    already_sent = [email.pk for email in rows.only("pk", "esp_message_id", "delivery")
                    if has_left(email)]
    for email_id in already_sent:
        record_sent(email_id, note="Not sent again: the ESP's tracking shows it received it.")
    ids = list(rows.exclude(pk__in=already_sent).values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.QUEUED, next_attempt_at=None
    )
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: enqueue(email_id))
    return Retried(len(ids), len(already_sent))
