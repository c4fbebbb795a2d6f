"""The outbox: emails are rows written with the change that causes them.

``queue_email`` writes the row inside the caller's transaction and asks Celery,
after commit, to send it. If the broker is down the row simply waits for the
sweeper (``helpdesk.tasks.sweep_outbox``).
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)


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
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def _enqueue(email_id: int) -> None:
    from .tasks import send_outbound_email

    try:
        send_outbound_email.delay(email_id)
    except Exception:  # broker down: the sweeper sends it later
        logger.warning("could not enqueue outbound email %s; the sweeper will", email_id)


def claim(email_id: int) -> bool:
    """Take the row for sending; False when another worker has it or it was sent."""
    return bool(
        OutboundEmail.objects.filter(
            pk=email_id, status=OutboundEmail.Status.QUEUED, sent_at=None
        ).update(status=OutboundEmail.Status.SENDING, claimed_at=timezone.now())
    )


def deliver(email: OutboundEmail) -> None:
    """Send one claimed row through the configured EMAIL_BACKEND (anymail in production)."""
    headers = {"Message-ID": email.message_id, **email.headers}
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
    message.send()
    status = getattr(message, "anymail_status", None)
    esp_id = getattr(status, "message_id", None) if status else None
    email.status = OutboundEmail.Status.SENT
    email.sent_at = timezone.now()
    email.attempts += 1
    email.esp_message_id = str(esp_id or "")
    email.save(update_fields=["status", "sent_at", "attempts", "esp_message_id"])
