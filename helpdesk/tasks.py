import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import outbox
from .models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@shared_task(bind=True, max_retries=MAX_ATTEMPTS, ignore_result=True)
def send_outbound_email(self, email_id: int) -> None:
    if not outbox.claim(email_id):
        return
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        outbox.deliver(email)
    except Exception as exc:
        attempts = email.attempts + 1
        failed = attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id).update(
            status=OutboundEmail.Status.FAILED if failed else OutboundEmail.Status.QUEUED,
            attempts=attempts,
            last_error=repr(exc)[:2000],
            next_attempt_at=timezone.now() + timedelta(seconds=30 * 2**attempts),
        )
        if not failed:
            raise self.retry(exc=exc, countdown=30 * 2**attempts) from exc
        logger.error("giving up on outbound email %s: %r", email_id, exc)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Send rows whose task never ran (broker down) or whose worker died mid-send."""
    now = timezone.now()
    stale_claim = now - timedelta(minutes=10)
    # A worker that died while sending leaves its row claimed; release it.
    OutboundEmail.objects.filter(
        status=OutboundEmail.Status.SENDING, sent_at=None, claimed_at__lt=stale_claim
    ).update(status=OutboundEmail.Status.QUEUED)
    due = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.QUEUED, created_at__lt=now - timedelta(minutes=1)
    ).exclude(next_attempt_at__gt=now)
    ids = list(due.values_list("pk", flat=True)[:1000])
    for email_id in ids:
        send_outbound_email.delay(email_id)
    return len(ids)
