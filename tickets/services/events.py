from __future__ import annotations

from django.utils import timezone

from ..models import Customer, Ticket, TicketEvent


def _text(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))[:255]


def record_event(
    *,
    ticket: Ticket,
    field: str,
    old=None,
    new=None,
    actor=None,
    actor_customer: Customer | None = None,
    at=None,
) -> TicketEvent:
    """Write one audit row. Values are stored as text (ids for related objects)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        actor_customer=actor_customer,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        created_at=at or timezone.now(),
    )
