"""Outgoing webhooks: subscriptions and the outbox of deliveries.

``queue_webhook_delivery`` is the one way a delivery comes to be: it writes the row in
the caller's transaction and asks Celery to send it after commit; if the broker is
down the row waits for the sweeper (``sending.sweep``). Rules call it for their
"webhook" action; ``notify_subscribers`` calls it for every matching subscription.
"""

from __future__ import annotations

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk import versioned
from tickets.models import Ticket

from . import targets
from .models import Event, WebhookDelivery, WebhookSubscription
from .payload import build_payload

SECRET_MIN_LENGTH = 16


def queue_webhook_delivery(*, url: str, secret: str, event: str, ticket: Ticket,
                           subscription: WebhookSubscription | None = None) -> WebhookDelivery:
    """Write one delivery of ``event`` about ``ticket`` to ``url`` (the outbox row).

    The payload is the ticket as it is now, in this transaction, so the receiver
    sees the state the event produced even if the ticket changes again before the
    POST goes out. Raises ValidationError naming ``url`` for a URL we never call.
    """
    targets.check_static(url, field="url")
    now = timezone.now()
    delivery_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, ticket=ticket, url=url, event=event, secret=secret,
        delivery=delivery_id, created_at=now, next_attempt_at=now,
        payload=build_payload(event=event, delivery=str(delivery_id), created_at=now,
                              ticket=ticket),
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))
    return delivery


def enqueue(delivery_id: int) -> bool:
    """Hand the row to a worker; False when the broker is unreachable (the sweeper sends it)."""
    from .tasks import send_webhook_delivery

    try:
        send_webhook_delivery.delay(delivery_id)
    except Exception:  # kombu OperationalError and friends
        return False
    return True


def _active_subscriptions() -> list[WebhookSubscription]:
    return list(WebhookSubscription.objects.filter(active=True).order_by("pk"))


# Every ticket event asks who listens, and subscriptions change when an admin edits one
# or a failing one is switched off: a per-process copy, read again when any of that
# happens (helpdesk/versioned.py). Saving or deleting one forgets it (receivers.py);
# the bulk UPDATE that switches one off calls ``subscriptions.forget`` itself.
subscriptions = versioned.Copy("webhooks:subscriptions", _active_subscriptions)


def listening(event: str) -> list[WebhookSubscription]:
    """The active subscriptions to ``event`` (shared instances: read, never change)."""
    return [s for s in subscriptions.get() if s.listens_to(event)]


def notify_subscribers(*, event: str, ticket_id: int) -> list[WebhookDelivery]:
    """Queue one delivery per active subscription listening to ``event``.

    Most installations have none: that answer is one query, without a transaction
    around it (every ticket event of the email intake asks)."""
    subscriptions = listening(event)
    if not subscriptions:
        return []
    with transaction.atomic():
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:  # deleted before the event was heard
            return []
        return [queue_webhook_delivery(url=s.url, secret=s.secret, event=event, ticket=ticket,
                                       subscription=s) for s in subscriptions]


def validate_events(events) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": _("Choose at least one event.")}, code="required")
    unknown = [str(e) for e in events if e not in Event.values]
    if unknown:
        raise ValidationError({"events": _("Unknown event: %(names)s.")
                               % {"names": ", ".join(unknown)}}, code="invalid")
    return list(dict.fromkeys(events))


def validate_secret(secret: str) -> str:
    if len(secret) < SECRET_MIN_LENGTH:
        raise ValidationError({"secret": _("Use at least %(n)d characters.")
                               % {"n": SECRET_MIN_LENGTH}}, code="too_short")
    return secret


@transaction.atomic
def create_subscription(*, url: str, events: list[str], actor, secret: str = "",
                        active: bool = True) -> WebhookSubscription:
    """Subscribe ``url`` to ``events``; without a secret one is generated."""
    targets.check_static(url, field="url")
    return WebhookSubscription.objects.create(
        url=url, events=validate_events(events), active=active, created_by=actor,
        secret=validate_secret(secret) if secret else secrets.token_hex(32),
    )


@transaction.atomic
def update_subscription(*, subscription: WebhookSubscription, changes: dict) -> WebhookSubscription:
    """Change url, events, secret or active. Switching a subscription back on
    forgets its failures, so it gets a fresh day before it is disabled again."""
    fields = []
    if "url" in changes:
        subscription.url = targets.check_static(changes["url"], field="url")
        fields.append("url")
    if "events" in changes:
        subscription.events = validate_events(changes["events"])
        fields.append("events")
    if "secret" in changes:
        subscription.secret = validate_secret(changes["secret"])
        fields.append("secret")
    if "active" in changes and changes["active"] != subscription.active:
        subscription.active = changes["active"]
        fields.append("active")
        if subscription.active:
            subscription.failing_since = subscription.disabled_at = None
            fields += ["failing_since", "disabled_at"]
    if fields:
        subscription.save(update_fields=fields)
    return subscription


def delete_subscription(*, subscription: WebhookSubscription) -> None:
    """Remove it; its delivery log stays (subscription set to null), pending rows are dropped."""
    with transaction.atomic():
        subscription.deliveries.filter(status=WebhookDelivery.Status.PENDING).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None,
            error=_("The subscription was deleted."))
        subscription.delete()
