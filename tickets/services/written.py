"""The messages the email intake has just written, for its batch's after-commit work.

The rules read the message of every event they hear (``rules.engine.event_message``):
one query per mail after the batch's commit, for a row the intake wrote a moment before
and that nothing changes in between (attachments are rows of their own). Inside
``messages_written`` such a read is answered from the row as it was written
(docs/performance.md, "Email intake", fourth round).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..models import Message

_WRITTEN: ContextVar[dict[int, Message] | None] = ContextVar("tickets_messages_written",
                                                            default=None)


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
