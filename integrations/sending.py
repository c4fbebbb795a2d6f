"""Sending deliveries: claim, POST, record, retry with backoff, disable what keeps failing.

Delivery is *at least once*: a worker claims a pending row by a conditional update
that pushes ``next_attempt_at`` a lease ahead, so two workers never POST the same row
at once; a worker that dies mid-POST leaves the row to be claimed again when the lease
ends, and the receiver may then see the same X-Helpdesk-Delivery twice (which is why
it is sent: receivers drop duplicates by it). A failed attempt (network error,
timeout, non-2xx answer) is retried after 30 s, 1 min, 2 min, … capped at 2 h, which
spreads the MAX_ATTEMPTS tries over a little more than a day; a subscription whose
deliveries have failed for HELPDESK_WEBHOOK_DISABLE_AFTER_HOURS with no success in
between is switched off and the admins are emailed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import emails, services, targets, transport
from .models import WebhookDelivery, WebhookSubscription
from .payload import encode, signature

logger = logging.getLogger(__name__)

Status = WebhookDelivery.Status

MAX_ATTEMPTS = 20
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 2 * 3600
# Longer than the connect and read timeouts together, so a live worker never loses its claim.
LEASE = timedelta(minutes=5)
SWEEP_BATCH = 500
EXCERPT_CHARS = 1000
USER_AGENT = "Helpdesk-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    """The wait after try number ``attempts``: 30 s, 1 min, 2 min, … at most 2 h."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0),
                                 BACKOFF_MAX_SECONDS))


def claim(delivery_id: int, *, now: datetime) -> bool:
    """Take a due pending row for one attempt. One UPDATE: of two racing workers only
    one matches the row, and the lease keeps the sweeper off it while the POST runs."""
    return bool(WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1))


def headers_for(delivery: WebhookDelivery, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Helpdesk-Event": delivery.event,
        "X-Helpdesk-Delivery": str(delivery.delivery),
        "X-Helpdesk-Signature": signature(body, delivery.secret),
    }


def send_one(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Claim, POST and record one delivery. True when the receiver answered 2xx."""
    if not claim(delivery_id, now=now or timezone.now()):
        return False
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if subscription is not None and not subscription.active:
        _record(delivery, give_up=True, error="The subscription is switched off.")
        return False
    body = encode(delivery.payload)
    try:
        target = targets.resolve(delivery.url)
        answer = transport.post(url=delivery.url, target=target, body=body,
                                headers=headers_for(delivery, body),
                                timeout=settings.HELPDESK_WEBHOOK_TIMEOUT)
    except targets.RefusedTarget as exc:  # not worth retrying
        _record(delivery, give_up=True, error=str(exc))
        return False
    except (requests.RequestException, OSError) as exc:
        _record(delivery, error=f"{type(exc).__name__}: {exc}")
        return False
    ok = 200 <= answer.status_code < 300
    _record(delivery, ok=ok, status_code=answer.status_code, elapsed_ms=answer.elapsed_ms,
            body=answer.body, error="" if ok else f"HTTP {answer.status_code}")
    return ok


def _record(delivery: WebhookDelivery, *, ok: bool = False, give_up: bool = False,
            status_code: int | None = None, elapsed_ms: int | None = None, body: str = "",
            error: str = "") -> None:
    now = timezone.now()
    fields = {"last_status_code": status_code, "response_ms": elapsed_ms,
              "response_body": body[:EXCERPT_CHARS], "error": error[:2000]}
    if ok:
        fields.update(status=Status.SENT, sent_at=now, next_attempt_at=None)
    elif give_up or delivery.attempts >= MAX_ATTEMPTS:
        fields.update(status=Status.FAILED, next_attempt_at=None)
    else:
        fields.update(next_attempt_at=now + backoff(delivery.attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if delivery.subscription_id is None:
        return
    if ok:
        WebhookSubscription.objects.filter(
            pk=delivery.subscription_id, failing_since__isnull=False).update(failing_since=None)
    else:
        logger.warning("webhook delivery %s to %s failed (attempt %s): %s",
                       delivery.delivery, delivery.url, delivery.attempts, error)
        note_failure(subscription_id=delivery.subscription_id, now=now)


def note_failure(*, subscription_id: int, now: datetime) -> bool:
    """Remember when the failures began; switch the subscription off once they have
    lasted the configured time. True when this call disabled it."""
    WebhookSubscription.objects.filter(
        pk=subscription_id, failing_since__isnull=True).update(failing_since=now)
    cutoff = now - timedelta(hours=settings.HELPDESK_WEBHOOK_DISABLE_AFTER_HOURS)
    with transaction.atomic():
        # Conditional: of two workers failing at once, one disables and one emails.
        disabled = WebhookSubscription.objects.filter(
            pk=subscription_id, active=True, failing_since__lte=cutoff,
        ).update(active=False, disabled_at=now)
        if not disabled:
            return False
        services.subscriptions.forget()  # a bulk UPDATE sends no post_save
        subscription = WebhookSubscription.objects.get(pk=subscription_id)
        subscription.deliveries.filter(status=Status.PENDING).update(
            status=Status.FAILED, next_attempt_at=None,
            error="The subscription was switched off after failing too long.")
        emails.subscription_disabled(subscription=subscription)
    logger.error("webhook subscription %s (%s) disabled after failing since %s",
                 subscription_id, subscription.url, subscription.failing_since)
    return True


def sweep(*, now: datetime | None = None) -> list[int]:
    """Send pending rows that are due: retries whose backoff is over, rows whose task
    never ran (broker down) and rows a dead worker held. Each goes through ``claim``,
    so a sweep racing a worker never sends a row twice at once."""
    now = now or timezone.now()
    ids = list(WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    from .services import enqueue

    for delivery_id in ids:
        if not enqueue(delivery_id):
            send_one(delivery_id, now=now)  # broker still down: send from here
    return ids


def retry_now(*, delivery_ids: list[int]) -> int:
    """Put failed deliveries back in the queue (an admin action), same delivery ids."""
    now = timezone.now()
    ids = list(WebhookDelivery.objects.filter(pk__in=delivery_ids, status=Status.FAILED)
               .values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, next_attempt_at=now, attempts=0)
    from .services import enqueue

    for delivery_id in ids:
        transaction.on_commit(lambda delivery_id=delivery_id: enqueue(delivery_id))
    return len(ids)
