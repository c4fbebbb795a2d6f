"""Per-process copies of rows that rarely change, kept until a shared version moves.

Some rows are read after every ticket event (the webhook subscriptions, for one) and
changed by an admin now and then. Each process keeps a copy with the version it was
read at; the version lives in the shared cache (Redis in production), so a change
made in any process is seen by every web and worker process on its next read: one
cache read instead of a query. Without a cache that answers, each read gets a
version of its own and the rows are read afresh: never stale. The rules' compiled
triggers keep their version here too (rules/engine.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from . import cache

# The recheck window's clock, a name of its own so that tests move it alone (moving
# time.monotonic would also move helpdesk.cache's outage window).
_clock = time.monotonic


# Inside ``steady()``: the versions read so far in the block.
_STEADY: ContextVar[dict[str, str] | None] = ContextVar("versioned_steady", default=None)


@contextmanager
def steady() -> Iterator[None]:
    """Each shared version is read once in this block, not on every ``current``: the
    email intake's after-commit work for one batch of mail (every rules event asked
    the cache for the rules' version, and every webhook event for the subscriptions').
    A change in another process is seen from the next block on; one made in this
    process (``bump``) at once."""
    token = _STEADY.set({})
    try:
        yield
    finally:
        _STEADY.reset(token)


def current(key: str) -> str:
    """The shared version under ``key``; a fresh one when the cache has none or is down."""
    known = _STEADY.get()
    if known is None:
        return _current(key)
    version = known.get(key)
    if version is None:
        version = known[key] = _current(key)
    return version


def _current(key: str) -> str:
    version = cache.get(key)
    if version is None:  # evicted, a fresh cache, or no cache: start a new version
        fresh = uuid.uuid4().hex
        if not cache.add(key, fresh, None):
            return fresh
        version = cache.get(key) or fresh
    return version


def bump(key: str) -> None:
    known = _STEADY.get()
    if known is not None:
        known.pop(key, None)
    cache.set(key, uuid.uuid4().hex, None)


class Copy[T]:
    """``load()``'s result, read again only when the version under ``key`` has moved.
    What ``get`` returns is shared by every caller in the process: read it, never change it.

    ``recheck_after``: for a copy read many times per request (a calendar per queue row),
    the seconds for which this process uses its copy without asking the shared version
    again. A change made in this process is seen at once (``forget``); one made in
    another process within that many seconds."""

    def __init__(self, key: str, load: Callable[[], T], *, recheck_after: float = 0.0) -> None:
        self.key, self._load, self._recheck_after = key, load, recheck_after
        self._copy: tuple[str, T, float] | None = None

    def get(self) -> T:
        now, copy = _clock(), self._copy
        if copy is not None and now - copy[2] < self._recheck_after:
            return copy[1]
        version = current(self.key)
        value = copy[1] if copy is not None and copy[0] == version else self._load()
        self._copy = (version, value, now)
        return value

    def drop(self, *args: object, **kwargs: object) -> None:
        """Read again in this process only (changed settings in tests)."""
        self._copy = None

    def forget(self, *args: object, **kwargs: object) -> None:
        """The rows changed (a signal receiver, or called after a bulk UPDATE): every
        process reads them again. The version moves now and once more after commit, so a
        process that read the old rows between the change and its commit reads again."""
        self._copy = None
        bump(self.key)
        transaction.on_commit(lambda: bump(self.key))
