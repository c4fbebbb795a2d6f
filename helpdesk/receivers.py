"""ESP tracking webhooks (anymail's ``tracking`` signal) → delivery status of our email.

anymail's views at ``/anymail/<esp>/tracking/`` check the basic-auth secret and
the ESP's signature, normalise the payload and send ``tracking``; this module
records the outcome on the OutboundEmail, records as sent a row the ESP has but
the outbox never recorded (its sender died), and stops mailing a customer whose
address hard-bounces or who reported us as spam. (helpdesk/webhooks.py keeps the
views closed until they are configured; docs/email-delivery.md.)
"""

from __future__ import annotations

import logging

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone

from . import outbox
from .models import OutboundEmail
from .signals import address_bounced

logger = logging.getLogger(__name__)

Delivery = OutboundEmail.Delivery

_DELIVERY_FOR_EVENT = {
    EventType.DELIVERED: Delivery.DELIVERED,
    EventType.BOUNCED: Delivery.BOUNCED,
    EventType.COMPLAINED: Delivery.COMPLAINED,
    EventType.REJECTED: Delivery.REJECTED,
}
# Events arrive out of order (a late "delivered" after a bounce); never downgrade.
_RANK = {Delivery.UNKNOWN: 0, Delivery.DELIVERED: 1, Delivery.REJECTED: 2,
         Delivery.BOUNCED: 2, Delivery.COMPLAINED: 3}
# ESP bounce kinds that are temporary: the address still works.
_SOFT_BOUNCES = {"SoftBounce", "Transient", "DnsError"}


def find_email(event: AnymailTrackingEvent) -> OutboundEmail | None:
    """The row an event is about: by the ESP's id, else by our own ids in its metadata."""
    metadata = event.metadata or {}
    ours = str(metadata.get("message_id") or "")
    query = Q()
    if event.message_id:
        # Some ESPs (Mailgun) report the Message-ID header as their message id.
        query |= Q(esp_message_id=event.message_id) | Q(message_id=event.message_id)
    if ours:
        query |= Q(message_id=ours)
    if str(metadata.get("outbound_email_id", "")).isdigit():
        query |= Q(pk=int(metadata["outbound_email_id"]))
    if not query:
        return None
    return OutboundEmail.objects.filter(query).order_by("-pk").first()


def _is_hard_bounce(event: AnymailTrackingEvent) -> bool:
    if event.event_type == EventType.COMPLAINED:
        return True
    if event.event_type != EventType.BOUNCED:
        return False
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return esp_event.get("Type") not in _SOFT_BOUNCES


# Events only possible once the ESP has taken the message (everything but "unknown").
_PROVES_SENT = {EventType.QUEUED, EventType.SENT, EventType.REJECTED, EventType.FAILED,
                EventType.BOUNCED, EventType.DEFERRED, EventType.DELIVERED,
                EventType.AUTORESPONDED, EventType.OPENED, EventType.CLICKED,
                EventType.COMPLAINED, EventType.UNSUBSCRIBED, EventType.SUBSCRIBED}


def _record_sent_if_unrecorded(email: OutboundEmail, event: AnymailTrackingEvent, at) -> None:
    """"Sent but not recorded": the sender died (or the database went away) after the
    ESP took the message. The event proves it left, so it must not be sent again."""
    if email.status == OutboundEmail.Status.SENT or event.event_type not in _PROVES_SENT:
        return
    logger.warning("outbound email %s (%s) is known to the ESP; recording it as sent",
                   email.pk, email.status)
    esp_id = email.esp_message_id or str(event.message_id or "")
    outbox.record_sent(email.pk, esp_message_id=esp_id, at=at,
                       note="Recorded as sent from the ESP's tracking event.")


@receiver(tracking, dispatch_uid="helpdesk.tracking")
def on_tracking(sender, event: AnymailTrackingEvent, esp_name: str, **kwargs) -> None:
    delivery = _DELIVERY_FOR_EVENT.get(event.event_type)
    if delivery is None and event.event_type not in _PROVES_SENT:
        return
    at = event.timestamp or timezone.now()
    email = find_email(event)
    if email is None:
        logger.info("%s tracking event %s for an unknown message %s",
                    esp_name, event.event_type, event.message_id)
    else:
        _record_sent_if_unrecorded(email, event, at)
        # Opened, clicked, queued, deferred… prove it was sent; the rest is not tracked here.
        if delivery is not None and _RANK[delivery] >= _RANK[Delivery(email.delivery)]:
            OutboundEmail.objects.filter(pk=email.pk).update(delivery=delivery, delivery_at=at)
    if delivery is not None and _is_hard_bounce(event):
        address = event.recipient or (email.to if email else "")
        if address:
            address_bounced.send(OutboundEmail, address=address, at=at)
