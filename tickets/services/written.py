"""What the email intake's batch has just written and committed, for its after-commit work.

The rules read the message and the ticket of every event they hear, and the automatic
assignment asks each new ticket's team how it assigns: after a batch's commit that was
a query per mail for each, for rows the intake wrote a moment before.

- ``messages_written``: a message is answered from the row as it was written; nothing
  changes a message in between (attachments are rows of their own).
- ``tickets_committed``: the batch's tickets are read in one query right after the
  commit, with the relations the rules follow. Each copy answers **one** read
  (``committed_ticket`` takes it): the first event of that ticket in the batch. Every
  later read of the ticket (its next event, the rules' reload after a field action)
  asks the database, as does a read after ``forget_ticket`` (the automatic assignment
  calls it before it changes a ticket). The batch's after-commit work runs in mail
  order and changes no ticket but its own event's, so the one copy a ticket has is as
  fresh as a read at that moment would be, within the fraction of a second the batch's
  work lasts (a change by another process in that window is seen as a read a moment
  earlier would have seen it; changes of fields lock and read the row again anyway).

docs/performance.md, "Email intake", fourth and fifth rounds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DatabaseError
from django.db.models import QuerySet

from ..models import Message, Team, Ticket

logger = logging.getLogger(__name__)

#: The relations every ticket event's reader follows (rules.engine reads the same).
EVENT_RELATIONS = ("customer__organization", "team", "assignee")

_WRITTEN: ContextVar[dict[int, Message] | None] = ContextVar("tickets_messages_written",
                                                            default=None)
_COMMITTED: ContextVar[dict[int, Ticket] | None] = ContextVar("tickets_committed",
                                                             default=None)


def event_tickets() -> QuerySet[Ticket]:
    """Tickets as an event's reader wants them: its relations, without the search document
    (large, and read by none of them)."""
    return Ticket.objects.select_related(*EVENT_RELATIONS).defer("search_vector")


@contextmanager
def messages_written(messages: Iterable[Message]) -> Iterator[None]:
    """``written_message`` answers for these (saved) messages in this block."""
    token = _WRITTEN.set({m.pk: m for m in messages if m.pk is not None})
    try:
        yield
    finally:
        _WRITTEN.reset(token)


def written_message(pk: int) -> Message | None:
    """A fresh instance of message ``pk`` as it was written, when it was written in
    ``messages_written``'s block (None otherwise: read it). Its relations are not
    carried over: a reader that follows one reads it, as from a query."""
    found = (_WRITTEN.get() or {}).get(pk)
    if found is None:
        return None
    fields = [f.attname for f in Message._meta.concrete_fields]
    return Message.from_db(found._state.db, fields, [getattr(found, f) for f in fields])


@contextmanager
def tickets_committed(ids: Iterable[int]) -> Iterator[None]:
    """Read these (committed) tickets now, in one query; ``committed_ticket`` and
    ``committed_team_assignment`` answer from that read in this block."""
    wanted = {pk for pk in ids if pk is not None}
    try:
        rows = {t.pk: t for t in event_tickets().filter(pk__in=wanted)} if wanted else {}
    except DatabaseError:  # each reader asks for its own, as without this block
        logger.warning("reading an intake batch's tickets after commit failed", exc_info=True)
        rows = {}
    token = _COMMITTED.set(rows)
    try:
        yield
    finally:
        _COMMITTED.reset(token)


def committed_ticket(pk: int) -> Ticket | None:
    """Ticket ``pk`` as read at the block's start, once: the copy is handed over and
    gone (None: read it)."""
    rows = _COMMITTED.get()
    return rows.pop(pk, None) if rows else None


def committed_team_assignment(pk: int) -> tuple[int | None, str] | None:
    """(team id, the team's assignment mode) of ticket ``pk`` as read at the block's
    start, without taking the copy; None when this block did not read it."""
    ticket = (_COMMITTED.get() or {}).get(pk)
    if ticket is None:
        return None
    return ticket.team_id, ticket.team.assignment if ticket.team else Team.Assignment.MANUAL


def forget_ticket(pk: int) -> None:
    """Ticket ``pk`` is about to change: its copy answers no more reads."""
    committed_ticket(pk)  # taken, and dropped
