from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

from helpdesk.models import User

from ..models import Customer, Ticket, TicketEvent

# Inside ``deferred()``: the rows record_event would have written, written together later.
_DEFERRED: ContextVar[list[TicketEvent] | None] = ContextVar("tickets_deferred_events",
                                                             default=None)


@contextmanager
def deferred() -> Iterator[list[TicketEvent]]:
    """Collect the audit rows ``record_event`` writes in this block instead of writing
    each: the email intake writes a batch's in one multi-row INSERT (``write_deferred``)
    before its commit (docs/performance.md, "Email intake"). Nothing in the block may
    read them back; rules and the rest of the after-commit work read them after."""
    rows: list[TicketEvent] = []
    token = _DEFERRED.set(rows)
    try:
        yield rows
    finally:
        _DEFERRED.reset(token)


def write_deferred(rows: list[TicketEvent]) -> None:
    if rows:
        TicketEvent.objects.bulk_create(rows)
        rows.clear()


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
    rows = _DEFERRED.get()
    if rows is not None:
        rows.append(event)  # written with the batch's others (deferred())
    else:
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
