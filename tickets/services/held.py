"""New tickets' first messages and SLA clocks, written together: the email intake's batch.

Inside ``held_rows()`` (a batch read without a SAVEPOINT per mail, where any failure
rolls the whole batch back) ``open_ticket`` keeps the ticket's first message and its
SLA clocks instead of an INSERT each; ``write_held`` writes each model's rows in one
multi-row INSERT, before anything in the transaction reads them: a reply to one of
those tickets (its search document is built from its messages, its clocks are read),
a message's attachments (they need its id), and the end of the batch (the raw rows
point at the messages). docs/performance.md, "Email intake", fourth round.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Model

from ..models import Message, TicketSLA

# The rows held so far, by model, in the order they were made.
_HELD: ContextVar[dict[type[Model], list[Model]] | None] = ContextVar("tickets_held_rows",
                                                                     default=None)


@contextmanager
def held_rows() -> Iterator[None]:
    """Hold new first messages and SLA clocks in this block; the caller writes them
    (``write_held()``) before it commits. Rows still held when the block is left
    are dropped: the transaction they belong to is being rolled back."""
    token = _HELD.set({})
    try:
        yield
    finally:
        _HELD.reset(token)


def hold(row: Message | TicketSLA) -> bool:
    """Keep ``row`` to be written with the others (True), or False outside
    ``held_rows()``: then write it now. A message is held only where the database
    returns the ids of a multi-row INSERT (PostgreSQL, SQLite 3.35+)."""
    held = _HELD.get()
    if held is None:
        return False
    if isinstance(row, Message) and not connection.features.can_return_rows_from_bulk_insert:
        return False
    held.setdefault(type(row), []).append(row)
    return True


def holds(model: type[Model], ticket_id: int | None = None) -> bool:
    """Some row of ``model`` (of that ticket, when given) is held."""
    rows = (_HELD.get() or {}).get(model)
    if not rows:
        return False
    return ticket_id is None or any(getattr(r, "ticket_id", None) == ticket_id for r in rows)


def write_held(*models: type[Model]) -> None:
    """Write the held rows of ``models`` (all when none is named): one INSERT each."""
    held = _HELD.get()
    if not held:
        return
    for model in models or (TicketSLA, Message):
        rows = held.pop(model, None)
        if rows:
            model._default_manager.bulk_create(rows)
