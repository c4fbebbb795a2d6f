"""The outbox: emails are rows written with the change that causes them.

``queue_email`` writes the row inside the caller's transaction and asks Celery,
after commit, to send it. If the broker is down the row simply waits for the
sweeper (``sweep``, run every minute by ``helpdesk.tasks.sweep_outbox``).

Delivery is *at most once*: a sender first claims the row by a conditional
update (QUEUED → SENDING); only the one whose update matched sends. A failure
the backend reports (an exception) is known not to have sent, so the row goes
back to QUEUED with an exponential backoff. A row left SENDING by a worker that
died mid-send may or may not have gone out, so it is marked FAILED for a person
to look at in the admin instead of being sent a second time.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
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
# A claim older than this belongs to a worker that died (the send timeout is far shorter).
STALE_CLAIM = timedelta(minutes=10)
SWEEP_BATCH = 500


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
) -> OutboundEmail:
    email = OutboundEmail.objects.create(
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
    transaction.on_commit(lambda: enqueue(email.pk))
    return email


def enqueue(email_id: int) -> bool:
    """Hand the row to a Celery worker; False when the broker is unreachable."""
    from .tasks import send_outbound_email

    try:
        send_outbound_email.delay(email_id)
    except Exception:  # broker down (kombu OperationalError and friends): the sweeper sends it
        logger.warning("could not enqueue outbound email %s; the sweeper will", email_id)
        return False
    return True


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
        ).update(status=Status.SENDING, claimed_at=now)
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
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    # anymail passes metadata to the ESP, which echoes it in tracking events: the
    # tracking receiver matches on it when the ESP's own message id is unknown.
    message.metadata = {"outbound_email_id": str(email.pk), "message_id": email.message_id}
    message.send()
    status = getattr(message, "anymail_status", None)
    return str(getattr(status, "message_id", None) or "")


def send_one(email_id: int, *, now: datetime | None = None) -> bool:
    """Claim, send and record one row. True when this call sent it."""
    if not claim(email_id, now=now):
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        esp_id = deliver(email)
    except Exception as exc:
        record_failure(email, exc)
        return False
    OutboundEmail.objects.filter(pk=email_id).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1,
        esp_message_id=esp_id[:255], last_error="", next_attempt_at=None,
    )
    return True


def record_failure(email: OutboundEmail, exc: Exception) -> None:
    attempts = email.attempts + 1
    failed = attempts >= MAX_ATTEMPTS
    OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(
        status=Status.FAILED if failed else Status.QUEUED,
        attempts=attempts,
        last_error=repr(exc)[:2000],
        next_attempt_at=None if failed else timezone.now() + backoff(attempts),
    )
    if failed:
        logger.error("giving up on outbound email %s after %s attempts: %r", email.pk, attempts, exc)
    else:
        logger.warning("outbound email %s failed (attempt %s): %r", email.pk, attempts, exc)


def sweep(*, now: datetime | None = None) -> list[int]:
    """Find rows whose task never ran (broker down) or whose backoff is over, and
    send them; return their ids. Sending goes through the same claim, so a sweep
    racing a worker or another sweep never sends a row twice."""
    now = now or timezone.now()
    OutboundEmail.objects.filter(
        status=Status.SENDING, sent_at=None, claimed_at__lt=now - STALE_CLAIM
    ).update(status=Status.FAILED,
             last_error="The sender stopped while sending; the email may or may not have "
                        "gone out, so it is not sent again automatically.")
    due = (
        OutboundEmail.objects.filter(status=Status.QUEUED, created_at__lt=now - SWEEP_GRACE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    ids = list(due)
    for email_id in ids:
        if not enqueue(email_id):
            send_one(email_id, now=now)  # broker still down: send from here
    return ids


def retry_now(*, email_ids: list[int]) -> int:
    """Put failed rows back in the queue (an admin action): they are sent at once."""
    ids = list(OutboundEmail.objects.filter(pk__in=email_ids, status=Status.FAILED, sent_at=None)
               .values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.QUEUED, next_attempt_at=None
    )
    for email_id in ids:
        transaction.on_commit(lambda email_id=email_id: enqueue(email_id))
    return len(ids)
