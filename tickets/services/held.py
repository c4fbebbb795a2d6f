"""New tickets, their first messages and SLA clocks, written together: the email intake's batch.

Inside ``held_rows()`` (a batch read without a SAVEPOINT per mail, where any failure
rolls the whole batch back) ``open_ticket`` keeps the new ticket, its first message and
its SLA clocks instead of an INSERT each; ``write_held`` writes each model's rows in one
multi-row INSERT, before anything in the transaction reads them: a reply to one of
those tickets (it locks the ticket; its search document is built from its messages,
its clocks are read), a message's attachments (they need its id), a thread lookup that
asks the database for a ticket by its number, and the end of the batch (the raw rows
point at the tickets and messages). A held ticket takes its id from the table's
sequence at once (PostgreSQL only; elsewhere it is written at once), so everything
that names it (its clocks, message, events, signals, the batch's thread lookups) has
the id it will be written with. docs/performance.md, "Email intake", fourth and fifth
rounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection
from django.db.models import Model

from ..models import Message, Ticket, TicketSLA

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


def hold(row: Ticket | Message | TicketSLA) -> bool:
    """Keep ``row`` to be written with the others (True), or False outside
    ``held_rows()``: then write it now. A message is held only where the database
    returns the ids of a multi-row INSERT (PostgreSQL, SQLite 3.35+); a ticket only on
    PostgreSQL, where it takes its id from the sequence now (``row.pk`` is set)."""
    held = _HELD.get()
    if held is None:
        return False
    if isinstance(row, Message) and not connection.features.can_return_rows_from_bulk_insert:
        return False
    if isinstance(row, Ticket):
        if connection.vendor != "postgresql":
            return False
        row.pk = _next_id(Ticket)
    held.setdefault(type(row), []).append(row)
    return True


def _next_id(model: type[Model]) -> int:
    """The next value of ``model``'s id sequence: what its INSERT would have taken."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))",
                       [model._meta.db_table, model._meta.pk.column])
        return int(cursor.fetchone()[0])


def holds(model: type[Model], ticket_id: int | None = None) -> bool:
    """Some row of ``model`` (of that ticket, when given) is held."""
    rows = (_HELD.get() or {}).get(model)
    if not rows:
        return False
    if ticket_id is None:
        return True
    column = "pk" if model is Ticket else "ticket_id"
    return any(getattr(r, column) == ticket_id for r in rows)


def write_if_held(model: type[Model], ticket_id: int | None) -> None:
    """About to read ``model``'s rows of that ticket from the database: write the held ones."""
    if holds(model, ticket_id):
        write_held(model)


def write_held(*models: type[Model]) -> None:
    """Write the held rows of ``models`` (all when none is named): one INSERT each, the
    held tickets first (the other rows point at them)."""
    held = _HELD.get()
    if not held:
        return
    for model in (Ticket, *models) if models else (Ticket, TicketSLA, Message):
        rows = held.pop(model, None)
        if rows:
            model._default_manager.bulk_create(rows)
            if model is Ticket:
                for ticket in rows:  # deferred, as after open_ticket's own INSERT
                    ticket.__dict__.pop("search_vector", None)
