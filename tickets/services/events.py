from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from helpdesk.models import User

from ..models import Customer, Ticket, TicketEvent


def _text(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))[:255]


def record_event(
    *,
    ticket: Ticket,
    field: str,
    old: object = None,
    new: object = None,
    actor: User | None = None,
    actor_customer: Customer | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    """Write one audit row. Values are stored as text (ids for related objects)."""
    event = new_event(ticket=ticket, field=field, old=old, new=new, actor=actor,
                      actor_customer=actor_customer, at=at)
    event.save(force_insert=True)
    return event


def new_event(
    *,
    ticket: Ticket,
    field: str,
    old: object = None,
    new: object = None,
    actor: User | None = None,
    actor_customer: Customer | None = None,
    at: datetime | None = None,
) -> TicketEvent:
    """The audit row ``record_event`` writes, unsaved: for ``bulk_create`` of many."""
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        actor_customer=actor_customer,
        field=field,
        old_value=_text(old),
        new_value=_text(new),
        created_at=at or timezone.now(),
    )
