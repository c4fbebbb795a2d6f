"""What a delivery carries: the JSON body, its bytes and its signature."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from tickets.models import Ticket
from tickets.serializers import TicketSerializer


def ticket_data(ticket: Ticket) -> dict:
    """The ticket exactly as ``GET /api/v1/tickets/{id}/`` shows it."""
    ticket = (Ticket.objects.select_related("customer__organization", "team", "assignee",
                                            "sla__policy")
              .prefetch_related("tags").defer("search_vector").get(pk=ticket.pk))
    return dict(TicketSerializer(ticket).data)


def build_payload(*, event: str, delivery: str, created_at, ticket: Ticket) -> dict:
    return {
        "event": event,
        "delivery": delivery,
        # Formatted as the API formats every time, so receivers parse one format.
        "created_at": serializers.DateTimeField().to_representation(created_at),
        "ticket": ticket_data(ticket),
    }


def encode(payload: dict) -> bytes:
    """The raw body. Keys sorted so every retry sends the very same bytes, whatever
    order the database kept them in (PostgreSQL's jsonb reorders keys)."""
    return json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(body: bytes, secret: str) -> str:
    """The X-Helpdesk-Signature value: ``sha256=`` and the hex HMAC of the raw body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
