"""Webhook deliveries carry a copy of the ticket (customer, subject): part of a customer's
export and erased with them (tickets/privacy.py, docs/privacy.md)."""

from __future__ import annotations

from datetime import datetime

from tickets.models import Customer
from tickets.privacy import Section, register

from .models import WebhookDelivery


def _deliveries(customer: Customer):
    return WebhookDelivery.objects.filter(ticket__customer=customer)


def export_deliveries(customer: Customer) -> list[dict]:
    return list(_deliveries(customer).order_by("pk").values(
        "id", "ticket_id", "url", "event", "payload", "status", "created_at", "sent_at"))


def erase_deliveries(customer: Customer, now: datetime) -> int:
    # A pending delivery would send the erased data later: it is settled as failed.
    pending = _deliveries(customer).filter(status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, error="The customer's data was erased.")
    return pending + _deliveries(customer).update(payload={}, response_body="")


register(Section("webhook_deliveries", export_deliveries, erase_deliveries,
                 covers=("integrations.WebhookDelivery",)))
